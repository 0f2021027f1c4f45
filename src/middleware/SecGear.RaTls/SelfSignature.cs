using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SecGear.RaTls;

/// <summary>
/// Checks that a certificate is self-signed with its own ECDSA key and valid at a time. Done by hand because chain
/// building with the certificate as its own trust anchor does not verify an anchor's signature (OpenSSL trusts
/// anchors as given), so altered bytes would pass.
/// </summary>
internal static class SelfSignature
{
    /// <summary>Returns null when the certificate is self-signed, its signature verifies and <paramref name="time"/> is in its validity period; otherwise the reason.</summary>
    public static string? Check(X509Certificate2 certificate, DateTimeOffset time)
    {
        if (!certificate.SubjectName.RawData.AsSpan().SequenceEqual(certificate.IssuerName.RawData))
        {
            return $"the certificate is issued by '{certificate.Issuer}', not self-signed by '{certificate.Subject}'";
        }

        if (time < certificate.NotBefore.ToUniversalTime() || time > certificate.NotAfter.ToUniversalTime())
        {
            return $"the certificate is valid from {certificate.NotBefore.ToUniversalTime():u} to {certificate.NotAfter.ToUniversalTime():u}, not at {time.UtcDateTime:u}";
        }

        ReadOnlyMemory<byte> tbs;
        string algorithm;
        byte[] signature;
        try
        {
            var reader = new AsnReader(certificate.RawData, AsnEncodingRules.DER);
            var outer = reader.ReadSequence();
            reader.ThrowIfNotEmpty();
            tbs = outer.ReadEncodedValue();
            var algorithmIdentifier = outer.ReadSequence();
            algorithm = algorithmIdentifier.ReadObjectIdentifier();
            signature = outer.ReadBitString(out int unusedBits);
            outer.ThrowIfNotEmpty();
            if (unusedBits != 0)
            {
                return "the certificate signature is not a whole number of bytes";
            }
        }
        catch (AsnContentException ex)
        {
            return $"the certificate is not valid DER: {ex.Message}";
        }

        HashAlgorithmName? hash = algorithm switch
        {
            "1.2.840.10045.4.3.2" => HashAlgorithmName.SHA256,
            "1.2.840.10045.4.3.3" => HashAlgorithmName.SHA384,
            "1.2.840.10045.4.3.4" => HashAlgorithmName.SHA512,
            _ => null,
        };
        if (hash is null)
        {
            return $"the certificate is signed with {algorithm}; ECDSA with SHA-256, SHA-384 or SHA-512 is required";
        }

        using var key = certificate.GetECDsaPublicKey();
        if (key is null)
        {
            return "the certificate key is not an ECDSA key";
        }

        return key.VerifyData(tbs.Span, signature, hash.Value, DSASignatureFormat.Rfc3279DerSequence)
            ? null
            : "the certificate's self-signature does not verify with its own key: the certificate was altered";
    }
}
