using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.Attestation.X509;

namespace SecGear.Attestation.HuaweiVirtCca;

/// <summary>
/// Walks the AIK chain by issuer name up to a self-issued root: each link's signature (RSA PKCS#1 v1.5 or ECDSA with
/// SHA-256/384/512), each issuer a CA, every certificate valid at the verification time, and the root pinned by fingerprint.
/// </summary>
internal static class HuaweiChain
{
    private const int MaxDepth = 5;

    /// <summary>Returns the first failed check, or null when the chain is sound.</summary>
    public static AttestationFailure? Check(VirtCcaCollateral huawei, TrustAnchors roots, DateTimeOffset time)
    {
        var current = huawei.Aik;
        for (int depth = 0; depth < MaxDepth; depth++)
        {
            var expired = Expired(current, time);
            if (expired is not null)
            {
                return expired;
            }

            bool selfIssued = current.SubjectName.RawData.AsSpan().SequenceEqual(current.IssuerName.RawData);
            var issuer = selfIssued ? current : huawei.Chain.FirstOrDefault(c => c.SubjectName.RawData.AsSpan().SequenceEqual(current.IssuerName.RawData));
            if (issuer is null)
            {
                return new(AttestationFailureCode.CertificateIssuerMismatch, $"no certificate in the chain is the issuer '{current.Issuer}' of '{current.Subject}'; chain subjects: {string.Join("; ", huawei.Chain.Select(c => c.Subject))}");
            }

            if (!IsCa(issuer))
            {
                return new(AttestationFailureCode.IssuerNotCertificateAuthority, $"'{issuer.Subject}' issues '{current.Subject}' but is not a CA (basic constraints)");
            }

            if (!IsSignedBy(current, issuer))
            {
                return new(AttestationFailureCode.CertificateSignatureInvalid, $"the signature of '{current.Subject}' does not verify with the key of '{issuer.Subject}'");
            }

            if (selfIssued)
            {
                return roots.Contains(current.RawData)
                    ? null
                    : new(AttestationFailureCode.RootNotTrusted, $"the chain ends at '{current.Subject}' with SHA-256 fingerprint {Convert.ToHexString(SHA256.HashData(current.RawData))}, expected one of {string.Join(", ", roots.Fingerprints)}");
            }

            current = issuer;
        }

        return new(AttestationFailureCode.CertificateChainMalformed, $"the AIK chain is longer than {MaxDepth} certificates or loops");
    }

    private static AttestationFailure? Expired(X509Certificate2 certificate, DateTimeOffset time)
    {
        var from = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var until = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        return time >= from && time <= until
            ? null
            : new(AttestationFailureCode.CertificateExpired, $"'{certificate.Subject}' is valid {from:O}..{until:O}, the verification time is {time:O}");
    }

    private static bool IsCa(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: true };

    private static bool IsSignedBy(X509Certificate2 certificate, X509Certificate2 issuer)
    {
        SignedData signed;
        try
        {
            signed = SignedData.Parse(certificate.RawData);
        }
        catch (AsnContentException)
        {
            return false;
        }

        var (hash, rsaSignature) = signed.Algorithm switch
        {
            "1.2.840.113549.1.1.11" => (HashAlgorithmName.SHA256, true),
            "1.2.840.113549.1.1.12" => (HashAlgorithmName.SHA384, true),
            "1.2.840.113549.1.1.13" => (HashAlgorithmName.SHA512, true),
            "1.2.840.10045.4.3.2" => (HashAlgorithmName.SHA256, false),
            "1.2.840.10045.4.3.3" => (HashAlgorithmName.SHA384, false),
            "1.2.840.10045.4.3.4" => (HashAlgorithmName.SHA512, false),
            _ => (default(HashAlgorithmName), false),
        };
        if (hash == default)
        {
            return false;
        }

        if (rsaSignature)
        {
            using var rsa = issuer.GetRSAPublicKey();
            return rsa is not null && rsa.VerifyData(signed.ToBeSigned.Span, signed.Signature, hash, RSASignaturePadding.Pkcs1);
        }

        using var ec = issuer.GetECDsaPublicKey();
        return ec is not null && ec.VerifyData(signed.ToBeSigned.Span, signed.Signature, hash, DSASignatureFormat.Rfc3279DerSequence);
    }
}
