using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.Cose;
using System.Security.Cryptography.X509Certificates;

namespace SecGear.Attestation.Tests.AwsNitro;

/// <summary>Builds Nitro-shaped documents under a test PKI, to exercise chain rules the real samples cannot.</summary>
internal static class SyntheticNitroDocument
{
    public static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static X509Certificate2 Ca(string subject, ECDsa key, X509Certificate2? issuer = null, ECDsa? issuerKey = null, bool isCa = true) =>
        Ca(new X500DistinguishedName(subject), key, issuer, issuerKey, isCa);

    public static X509Certificate2 Ca(X500DistinguishedName subject, ECDsa key, X509Certificate2? issuer = null, ECDsa? issuerKey = null, bool isCa = true)
    {
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(isCa, false, 0, true));
        if (issuer is null)
        {
            return request.CreateSelfSigned(Now.AddYears(-1), Now.AddYears(10));
        }

        var generator = X509SignatureGenerator.CreateForECDsa(issuerKey!);
        return request.Create(issuer.SubjectName, generator, Now.AddDays(-1), Now.AddYears(1), [1, 2, 3, 4]);
    }

    public static X509Certificate2 Leaf(ECDsa key, X509Certificate2 issuer, ECDsa issuerKey)
    {
        var request = new CertificateRequest("CN=i-0123456789abcdef0-enc0123456789abcdef.us-east-1.aws", key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        return request.Create(issuer.SubjectName, X509SignatureGenerator.CreateForECDsa(issuerKey), Now.AddHours(-1), Now.AddHours(2), [5, 6, 7, 8]);
    }

    public static byte[] Sign(ECDsa leafKey, X509Certificate2 leaf, IEnumerable<byte[]> bundle)
    {
        var writer = new CborWriter(CborConformanceMode.Strict);
        writer.WriteStartMap(9);
        writer.WriteTextString("module_id");
        writer.WriteTextString("i-0123456789abcdef0-enc0123456789abcdef");
        writer.WriteTextString("digest");
        writer.WriteTextString("SHA384");
        writer.WriteTextString("timestamp");
        writer.WriteUInt64((ulong)Now.ToUnixTimeMilliseconds());
        writer.WriteTextString("pcrs");
        writer.WriteStartMap(3);
        for (int i = 0; i < 3; i++)
        {
            writer.WriteUInt32((uint)i);
            writer.WriteByteString(Enumerable.Repeat((byte)(i + 1), 48).ToArray());
        }

        writer.WriteEndMap();
        writer.WriteTextString("certificate");
        writer.WriteByteString(leaf.RawData);
        writer.WriteTextString("cabundle");
        var certificates = bundle.ToArray();
        writer.WriteStartArray(certificates.Length);
        foreach (var der in certificates)
        {
            writer.WriteByteString(der);
        }

        writer.WriteEndArray();
        writer.WriteTextString("public_key");
        writer.WriteNull();
        writer.WriteTextString("user_data");
        writer.WriteByteString([0xAA, 0xBB]);
        writer.WriteTextString("nonce");
        writer.WriteNull();
        writer.WriteEndMap();
        return CoseSign1Message.SignEmbedded(writer.Encode(), new CoseSigner(leafKey, HashAlgorithmName.SHA384));
    }
}
