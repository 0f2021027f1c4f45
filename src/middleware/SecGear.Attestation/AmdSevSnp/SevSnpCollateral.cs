using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.Attestation.X509;

namespace SecGear.Attestation.AmdSevSnp;

/// <summary>
/// The certificates that endorse an SEV-SNP report: the VCEK or VLEK, and the AMD chain (ASK and/or ASVK, and the ARK)
/// as AMD KDS serves it. Which intermediate and root are used is decided by issuer names at verification time; the
/// ARK is trusted only when its fingerprint is pinned.
/// </summary>
public sealed class SevSnpCollateral : CertificateChainCollateral
{
    private SevSnpCollateral(X509Certificate2 keyCertificate, IReadOnlyList<X509Certificate2> chain)
        : base(keyCertificate, chain)
    {
    }

    /// <inheritdoc />
    public override string Format => EvidenceFormats.AmdSevSnpReport;

    /// <summary>The VCEK or VLEK certificate.</summary>
    public X509Certificate2 KeyCertificate => Leaf;

    /// <summary>
    /// Builds collateral from a VCEK/VLEK certificate (DER or PEM) and the AMD chain (PEM, e.g. KDS <c>cert_chain</c>:
    /// ASK or ASVK, then ARK). Throws <see cref="AttestationException"/> (<see cref="AttestationFailureCode.CollateralMalformed"/>)
    /// when either cannot be read.
    /// </summary>
    public static SevSnpCollateral Create(ReadOnlySpan<byte> keyCertificate, ReadOnlySpan<byte> chainPem)
    {
        X509Certificate2 key;
        try
        {
            key = keyCertificate.IndexOf("-----BEGIN"u8) >= 0
                ? PemCertificates.Read(keyCertificate) is [var only] ? only : throw new CryptographicException("the VCEK/VLEK PEM holds more than one certificate")
                : X509CertificateLoader.LoadCertificate(keyCertificate);
        }
        catch (CryptographicException ex)
        {
            throw new AttestationException(AttestationFailureCode.CollateralMalformed, $"the VCEK/VLEK certificate cannot be read: {FailureText.Of(ex)}");
        }

        try
        {
            return new SevSnpCollateral(key, PemCertificates.Read(chainPem));
        }
        catch (CryptographicException ex)
        {
            throw new AttestationException(AttestationFailureCode.CollateralMalformed, $"the AMD certificate chain cannot be read: {FailureText.Of(ex)}");
        }
    }

    /// <summary>
    /// Builds collateral from one PEM bundle holding the VCEK or VLEK (<c>CN=SEV-VCEK</c> / <c>CN=SEV-VLEK</c>) and its
    /// AMD chain, in any order (e.g. a file for <c>secgear verify --collateral</c>). Throws
    /// <see cref="AttestationException"/> (<see cref="AttestationFailureCode.CollateralMalformed"/>) when it cannot be
    /// read or does not hold exactly one VCEK/VLEK.
    /// </summary>
    public static SevSnpCollateral Load(ReadOnlySpan<byte> pemBundle)
    {
        List<X509Certificate2> certificates;
        try
        {
            certificates = PemCertificates.Read(pemBundle);
        }
        catch (CryptographicException ex)
        {
            throw new AttestationException(AttestationFailureCode.CollateralMalformed, $"the SEV-SNP collateral bundle cannot be read: {FailureText.Of(ex)}");
        }

        var keys = certificates.Where(c => c.GetNameInfo(X509NameType.SimpleName, forIssuer: false) is "SEV-VCEK" or "SEV-VLEK").ToList();
        if (keys.Count != 1)
        {
            throw new AttestationException(AttestationFailureCode.CollateralMalformed, $"the SEV-SNP collateral bundle holds {keys.Count} VCEK/VLEK certificates, expected 1");
        }

        return new SevSnpCollateral(keys[0], certificates.Where(c => !ReferenceEquals(c, keys[0])).ToArray());
    }
}
