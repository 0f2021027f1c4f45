using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.Attestation.X509;

namespace SecGear.Attestation.Simulation;

/// <summary>
/// Verifies SecGear simulation evidence (<see cref="EvidenceFormats.SecGearSimulation"/>): the CA certificate must be
/// one of the caller's trust anchors (there is no built-in one: simulation is accepted only by explicit opt-in), the
/// attestation key certificate must be issued by it and valid, and the evidence signature must verify with that key.
/// Claims are marked <see cref="AttestationClaims.Simulated"/>. Checks, in order, are listed in docs/attestation.md.
/// </summary>
public sealed class SimulationEvidenceVerifier : IEvidenceVerifier
{
    private readonly TrustAnchors anchors;

    /// <summary>Creates a verifier that trusts the simulated CAs in <paramref name="anchors"/>.</summary>
    /// <param name="anchors">Fingerprints of the simulated CA certificates to accept, e.g. <c>TrustAnchors.FromFingerprints([]).Add(caDer)</c>.</param>
    public SimulationEvidenceVerifier(TrustAnchors anchors)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        this.anchors = anchors;
    }

    /// <inheritdoc/>
    public string Format => EvidenceFormats.SecGearSimulation;

    /// <inheritdoc/>
    public AttestationResult Verify(ReadOnlyMemory<byte> evidence, Collateral? collateral, DateTimeOffset verificationTime)
    {
        if (evidence.IsEmpty)
        {
            return AttestationResult.Fail(AttestationFailureCode.EvidenceEmpty, "the simulation evidence is empty");
        }

        if (evidence.Length > SimulationEvidence.MaxLength)
        {
            return AttestationResult.Fail(
                AttestationFailureCode.EvidenceTooLarge, $"the simulation evidence is {evidence.Length} bytes; at most {SimulationEvidence.MaxLength} are accepted");
        }

        if (collateral is not null)
        {
            return AttestationResult.Fail(
                AttestationFailureCode.CollateralMalformed, $"simulation evidence takes no collateral; got {collateral.GetType().Name}");
        }

        if (!SimulationEvidence.TryParse(evidence.Span, out var parsed, out var error))
        {
            return AttestationResult.Fail(AttestationFailureCode.EvidenceMalformed, error);
        }

        var failure = VerifyChainAndSignature(parsed, verificationTime, out var validFrom, out var validUntil);
        if (failure is not null)
        {
            return AttestationResult.Fail(failure);
        }

        return AttestationResult.Success(ToClaims(parsed, validFrom, validUntil));
    }

    private AttestationFailure? VerifyChainAndSignature(
        SimulationEvidence evidence, DateTimeOffset time, out DateTimeOffset validFrom, out DateTimeOffset validUntil)
    {
        validFrom = validUntil = default;
        if (!TryLoad(evidence.CaCertificate, "CA", out var ca, out var failure)
            || !TryLoad(evidence.AttestationKeyCertificate, "attestation key", out var key, out failure))
        {
            ca?.Dispose();
            return failure;
        }

        using (ca)
        using (key)
        {
            failure = CheckCa(ca, time) ?? CheckAttestationKeyCertificate(key, ca, evidence, time);
            if (failure is not null)
            {
                return failure;
            }

            using var publicKey = key.GetECDsaPublicKey();
            if (publicKey is null || publicKey.KeySize != 256 || publicKey.ExportParameters(false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                return new(AttestationFailureCode.AttestationKeyInvalid, $"the attestation key certificate's key is {key.PublicKey.Oid.FriendlyName ?? key.PublicKey.Oid.Value}; expected an ECDSA P-256 key");
            }

            if (!publicKey.VerifyData(evidence.SignedBytes.Span, evidence.Signature.Span, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                return new(AttestationFailureCode.EvidenceSignatureInvalid, "the evidence signature does not verify with the platform attestation key over the 172-byte signed body");
            }

            validFrom = Max(ca.NotBefore, key.NotBefore);
            validUntil = Min(ca.NotAfter, key.NotAfter);
            return null;
        }
    }

    private AttestationFailure? CheckCa(X509Certificate2 ca, DateTimeOffset time)
    {
        if (!anchors.Contains(ca.RawDataMemory.Span))
        {
            return new(
                AttestationFailureCode.RootNotTrusted,
                $"the simulated CA '{ca.Subject}' (SHA-256 {Convert.ToHexString(SHA256.HashData(ca.RawDataMemory.Span))}) is not a trust anchor; "
                + "simulation evidence is accepted only when the caller pins the simulated CA certificate (secgear platform init prints it)");
        }

        if (time < ca.NotBefore || time > ca.NotAfter)
        {
            return new(AttestationFailureCode.RootCertificateExpired, $"the simulated CA is valid {Iso(ca.NotBefore)}..{Iso(ca.NotAfter)}; the verification time is {Iso(time)}");
        }

        if (ca.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
        {
            return new(AttestationFailureCode.IssuerNotCertificateAuthority, $"'{ca.Subject}' is not a CA certificate (basic constraints)");
        }

        return null;
    }

    private static AttestationFailure? CheckAttestationKeyCertificate(X509Certificate2 key, X509Certificate2 ca, SimulationEvidence evidence, DateTimeOffset time)
    {
        if (!key.IssuerName.RawData.AsSpan().SequenceEqual(ca.SubjectName.RawData))
        {
            return new(AttestationFailureCode.AttestationKeyCertificateIssuerMismatch, $"the attestation key certificate is issued by '{key.Issuer}'; the CA is '{ca.Subject}'");
        }

        using var caKey = ca.GetECDsaPublicKey();
        bool signed;
        try
        {
            signed = caKey is not null && SignedData.Parse(evidence.AttestationKeyCertificate).IsSignedBy(caKey);
        }
        catch (Exception ex) when (ex is CryptographicException or System.Formats.Asn1.AsnContentException)
        {
            signed = false;
        }

        if (!signed)
        {
            return new(AttestationFailureCode.AttestationKeyCertificateSignatureInvalid, "the attestation key certificate's signature does not verify with the simulated CA's ECDSA P-256 key");
        }

        if (time < key.NotBefore || time > key.NotAfter)
        {
            return new(AttestationFailureCode.AttestationKeyCertificateExpired, $"the attestation key certificate is valid {Iso(key.NotBefore)}..{Iso(key.NotAfter)}; the verification time is {Iso(time)}");
        }

        return null;
    }

    private static bool TryLoad(ReadOnlyMemory<byte> der, string name, out X509Certificate2 certificate, out AttestationFailure? failure)
    {
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(der.Span);
            failure = null;
            return true;
        }
        catch (CryptographicException)
        {
            certificate = null!;
            failure = new(AttestationFailureCode.SimulationCertificateMalformed, $"the {name} certificate ({der.Length} bytes) is not a DER X.509 certificate");
            return false;
        }
    }

    private static AttestationClaims ToClaims(SimulationEvidence evidence, DateTimeOffset validFrom, DateTimeOffset validUntil) => new()
    {
        Format = EvidenceFormats.SecGearSimulation,
        Tee = TeeKind.Simulation,
        Simulated = true,
        UniqueId = evidence.Measurement,
        SignerId = evidence.Signer,
        ProductId = evidence.ProductId,
        SecurityVersion = evidence.SecurityVersion,
        Debug = evidence.Debug,
        ReportData = evidence.ReportData,

        // The simulated platform has no TCB to fall behind; it is reported current so TCB policies stay meaningful for hardware.
        TcbStatus = TcbStatus.UpToDate,
        CollateralValidFrom = validFrom,
        CollateralValidUntil = validUntil,
        Fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["platform_id"] = Convert.ToHexStringLower(evidence.PlatformId.Span),
            ["simulated_ca_sha256"] = Convert.ToHexStringLower(SHA256.HashData(evidence.CaCertificate.Span)),
        },
    };

    private static DateTimeOffset Max(DateTime a, DateTime b) => new(a > b ? a.ToUniversalTime() : b.ToUniversalTime(), TimeSpan.Zero);

    private static DateTimeOffset Min(DateTime a, DateTime b) => new(a < b ? a.ToUniversalTime() : b.ToUniversalTime(), TimeSpan.Zero);

    private static string Iso(DateTimeOffset time) => time.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture);
}
