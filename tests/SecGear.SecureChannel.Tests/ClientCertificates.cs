using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace SecGear.SecureChannel.Tests;

/// <summary>Test certificates: an ECDSA CA with client leaves, and self-signed SM2 client certificates.</summary>
internal static class ClientCertificates
{
    public static X509Certificate2 CreateRoot(string name = "CN=Test Client CA")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(name, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    /// <summary>A client certificate with its private key, issued by <paramref name="root"/>.</summary>
    public static X509Certificate2 Issue(X509Certificate2 root, ECCurve curve, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(curve);
        var request = new CertificateRequest("CN=client", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        var serial = RandomNumberGenerator.GetBytes(8);
        serial[0] &= 0x7F;
        using var issued = request.Create(root, DateTimeOffset.UtcNow.AddDays(-1), notAfter ?? DateTimeOffset.UtcNow.AddMonths(6), serial);
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>A self-signed SM2-with-SM3 certificate (DER) and its 32-byte private key.</summary>
    public static (byte[] Certificate, byte[] PrivateKey) CreateSm2()
    {
        var domain = Sm2EphemeralKey.DomainParameters;
        var generator = new ECKeyPairGenerator();
        generator.Init(new ECKeyGenerationParameters(new ECNamedDomainParameters(Org.BouncyCastle.Asn1.GM.GMObjectIdentifiers.sm2p256v1, domain), new SecureRandom()));
        var pair = generator.GenerateKeyPair();
        var certificate = new X509V3CertificateGenerator();
        certificate.SetSerialNumber(BigInteger.ValueOf(Random.Shared.NextInt64(1, long.MaxValue)));
        certificate.SetIssuerDN(new X509Name("CN=sm2 client"));
        certificate.SetSubjectDN(new X509Name("CN=sm2 client"));
        certificate.SetNotBefore(DateTime.UtcNow.AddDays(-1));
        certificate.SetNotAfter(DateTime.UtcNow.AddYears(1));
        certificate.SetPublicKey(pair.Public);
        var signed = certificate.Generate(new Asn1SignatureFactory("SM3WITHSM2", pair.Private));
        return (signed.GetEncoded(), Org.BouncyCastle.Utilities.BigIntegers.AsUnsignedByteArray(32, ((ECPrivateKeyParameters)pair.Private).D));
    }

    public static byte[] SpkiSha256(ReadOnlySpan<byte> certificate)
    {
        using var parsed = X509CertificateLoader.LoadCertificate(certificate);
        return SHA256.HashData(parsed.PublicKey.ExportSubjectPublicKeyInfo());
    }
}
