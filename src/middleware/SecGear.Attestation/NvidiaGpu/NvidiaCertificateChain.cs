using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.Attestation.AmdSevSnp;
using SecGear.Attestation.AwsNitro;

namespace SecGear.Attestation.NvidiaGpu;

/// <summary>
/// Checks a leaf-first NVIDIA chain (device identity or RIM signing) link by link against pinned roots: the last
/// certificate must be a pinned root, every issuer name must match, every issuer must be a CA, every ECDSA signature
/// must verify, and only the certificates supplied are used (never ones cached from other devices).
/// </summary>
internal static class NvidiaCertificateChain
{
    /// <summary>Returns the first failed structural or signature check, or null when the chain reaches a pinned root.</summary>
    public static AttestationFailure? Check(IReadOnlyList<X509Certificate2> chain, TrustAnchors anchors, string chainName, VerifiedLinkCache links)
    {
        var root = chain[^1];
        bool rootPinned = anchors.Contains(root.RawData);
        if (chain.Count < 2)
        {
            return rootPinned
                ? new(AttestationFailureCode.CertificateChainMalformed, $"the {chainName} holds only the root '{root.Subject}'; it needs the signing certificate and its issuers too")
                : new(AttestationFailureCode.RootNotTrusted, $"the {chainName} holds only '{root.Subject}', which is not a pinned root (SHA-256 {Fingerprint(root)}); the issuers up to the root are missing");
        }

        for (int i = 0; i < chain.Count - 1; i++)
        {
            var (subject, issuer) = (chain[i], chain[i + 1]);
            if (!subject.IssuerName.RawData.AsSpan().SequenceEqual(issuer.SubjectName.RawData))
            {
                return new(AttestationFailureCode.CertificateIssuerMismatch, $"{Name(chainName, i)} '{subject.Subject}' is issued by '{subject.Issuer}', but the next certificate is '{issuer.Subject}'");
            }

            if (issuer.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
            {
                return new(AttestationFailureCode.IssuerNotCertificateAuthority, $"'{issuer.Subject}' issues {Name(chainName, i)} but is not a CA");
            }

            if (!links.IsSignedBy(subject, issuer, NitroCertificateSignature.IsSignedBy))
            {
                return new(AttestationFailureCode.CertificateSignatureInvalid, $"{Name(chainName, i)} '{subject.Subject}': the ECDSA signature does not verify with the key of '{issuer.Subject}'");
            }
        }

        if (!root.SubjectName.RawData.AsSpan().SequenceEqual(root.IssuerName.RawData) || !links.IsSignedBy(root, root, NitroCertificateSignature.IsSignedBy))
        {
            return new(AttestationFailureCode.CertificateSignatureInvalid, $"the last certificate of the {chainName} '{root.Subject}' is not a self-signed root");
        }

        return rootPinned
            ? null
            : new(AttestationFailureCode.RootNotTrusted, $"the {chainName} ends at '{root.Subject}' with SHA-256 fingerprint {Fingerprint(root)}, which is not pinned for it");
    }

    /// <summary>Returns a failure naming the first certificate not valid at <paramref name="time"/>, or null.</summary>
    public static AttestationFailure? CheckValidity(IReadOnlyList<X509Certificate2> chain, string chainName, DateTimeOffset time)
    {
        for (int i = 0; i < chain.Count; i++)
        {
            var notBefore = new DateTimeOffset(chain[i].NotBefore.ToUniversalTime());
            var notAfter = new DateTimeOffset(chain[i].NotAfter.ToUniversalTime());
            if (time < notBefore || time > notAfter)
            {
                return new(AttestationFailureCode.CertificateExpired, string.Create(CultureInfo.InvariantCulture, $"{Name(chainName, i)} '{chain[i].Subject}' is valid {notBefore.UtcDateTime:u}..{notAfter.UtcDateTime:u}, not at {time.UtcDateTime:u}"));
            }
        }

        return null;
    }

    /// <summary>The latest notBefore and earliest notAfter of the chain.</summary>
    public static (DateTimeOffset From, DateTimeOffset Until) Window(IReadOnlyList<X509Certificate2> chain) => (
        chain.Max(c => new DateTimeOffset(c.NotBefore.ToUniversalTime())),
        chain.Min(c => new DateTimeOffset(c.NotAfter.ToUniversalTime())));

    private static string Name(string chainName, int index) => string.Create(CultureInfo.InvariantCulture, $"certificate {index} of the {chainName}");

    private static string Fingerprint(X509Certificate2 certificate) => Convert.ToHexString(SHA256.HashData(certificate.RawData));
}
