using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.Attestation.X509;

namespace SecGear.Attestation.AmdSevSnp;

/// <summary>Checks one link of an AMD chain: RSASSA-PSS with SHA-384 (MGF1-SHA-384, salt 48) by an RSA issuer key.</summary>
internal static class AmdCertificateSignature
{
    /// <summary>id-RSASSA-PSS.</summary>
    public const string RsassaPss = "1.2.840.113549.1.1.10";

    /// <summary>True when <paramref name="subject"/> is signed with RSASSA-PSS/SHA-384 by <paramref name="issuer"/>'s RSA key.</summary>
    public static bool IsSignedBy(X509Certificate2 subject, X509Certificate2 issuer)
    {
        try
        {
            using var key = issuer.GetRSAPublicKey();
            if (key is null)
            {
                return false;
            }

            var signed = SignedData.Parse(subject.RawData);
            return signed.Algorithm == RsassaPss
                && key.VerifyData(signed.ToBeSigned.Span, signed.Signature, HashAlgorithmName.SHA384, RSASignaturePadding.Pss);
        }
        catch (Exception ex) when (ex is CryptographicException or System.Formats.Asn1.AsnContentException)
        {
            return false;
        }
    }
}
