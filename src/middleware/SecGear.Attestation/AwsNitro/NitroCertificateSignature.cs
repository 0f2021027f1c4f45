using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.Attestation.X509;

namespace SecGear.Attestation.AwsNitro;

/// <summary>Checks one link of a Nitro chain: ecdsa-with-SHA256/384/512 by the issuer's EC key.</summary>
internal static class NitroCertificateSignature
{
    /// <summary>True when <paramref name="subject"/> is ECDSA-signed by <paramref name="issuer"/>'s key.</summary>
    public static bool IsSignedBy(X509Certificate2 subject, X509Certificate2 issuer)
    {
        try
        {
            using var key = issuer.GetECDsaPublicKey();
            if (key is null)
            {
                return false;
            }

            var signed = SignedData.Parse(subject.RawDataMemory);
            HashAlgorithmName? hash = signed.Algorithm switch
            {
                "1.2.840.10045.4.3.2" => HashAlgorithmName.SHA256,
                "1.2.840.10045.4.3.3" => HashAlgorithmName.SHA384,
                "1.2.840.10045.4.3.4" => HashAlgorithmName.SHA512,
                _ => null,
            };
            return hash is { } name && key.VerifyData(signed.ToBeSigned.Span, signed.Signature, name, DSASignatureFormat.Rfc3279DerSequence);
        }
        catch (Exception ex) when (ex is CryptographicException or AsnContentException)
        {
            return false;
        }
    }
}
