using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.Attestation.X509;
using SecGear.Simulation;

namespace SecGear.Attestation.Simulation;

/// <summary>
/// Verifies SecGear simulation evidence (<see cref="EvidenceFormats.SecGearSimulation"/>): the CA certificate must be
/// one of the caller's trust anchors (there is no built-in one: simulation is accepted only by explicit opt-in), the
/// attestation key certificate must be issued by it and valid, and the evidence signature must verify with that key.
/// Claims are marked <see cref="AttestationClaims.Simulated"/>. Checks, in order, are listed in docs/simulated-attestation.md.
/// Certificate pairs that passed every time-independent check are cached by content (bounded), so a warm verification
/// is one ECDSA verification plus the validity-window checks; failures are never cached.
/// </summary>
public sealed class SimulationEvidenceVerifier : IEvidenceVerifier
{
    private const int ChainCapacity = 256;
    private readonly TrustAnchors _anchors;
    private readonly ConcurrentDictionary<string, VerifiedChain> _chains = new(StringComparer.Ordinal);

    /// <summary>Creates a verifier that trusts the simulated CAs in <paramref name="anchors"/>.</summary>
    /// <param name="anchors">Fingerprints of the simulated CA certificates to accept, e.g. <c>TrustAnchors.FromFingerprints([]).Add(caDer)</c>.</param>
    public SimulationEvidenceVerifier(TrustAnchors anchors)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        _anchors = anchors;
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
        var id = Convert.ToHexString(SHA256.HashData(evidence.CaCertificate.Span)) + Convert.ToHexString(SHA256.HashData(evidence.AttestationKeyCertificate.Span));
        if (!_chains.TryGetValue(id, out var chain))
        {
            if (!TryBuildChain(evidence, out chain, out var failure))
            {
                return failure;
            }

            // Bounded: when full, chains are checked per call and not kept.
            if (_chains.Count >= ChainCapacity || !_chains.TryAdd(id, chain))
            {
                using (chain.Key)
                {
                    return CheckTimesAndSignature(chain, evidence, time, out validFrom, out validUntil);
                }
            }
        }

        return CheckTimesAndSignature(chain, evidence, time, out validFrom, out validUntil);
    }

    private static AttestationFailure? CheckTimesAndSignature(
        VerifiedChain chain, SimulationEvidence evidence, DateTimeOffset time, out DateTimeOffset validFrom, out DateTimeOffset validUntil)
    {
        validFrom = validUntil = default;
        if (time < chain.CaNotBefore || time > chain.CaNotAfter)
        {
            return new(AttestationFailureCode.RootCertificateExpired, $"the simulated CA is valid {Iso(chain.CaNotBefore)}..{Iso(chain.CaNotAfter)}; the verification time is {Iso(time)}");
        }

        if (time < chain.KeyNotBefore || time > chain.KeyNotAfter)
        {
            return new(AttestationFailureCode.AttestationKeyCertificateExpired, $"the attestation key certificate is valid {Iso(chain.KeyNotBefore)}..{Iso(chain.KeyNotAfter)}; the verification time is {Iso(time)}");
        }

        bool verified;
        lock (chain.Key)
        {
            verified = chain.Key.VerifyData(evidence.SignedBytes.Span, evidence.Signature.Span, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }

        if (!verified)
        {
            return new(AttestationFailureCode.EvidenceSignatureInvalid, "the evidence signature does not verify with the platform attestation key over the 172-byte signed body");
        }

        validFrom = chain.CaNotBefore > chain.KeyNotBefore ? chain.CaNotBefore : chain.KeyNotBefore;
        validUntil = chain.CaNotAfter < chain.KeyNotAfter ? chain.CaNotAfter : chain.KeyNotAfter;
        return null;
    }

    private bool TryBuildChain(SimulationEvidence evidence, [NotNullWhen(true)] out VerifiedChain? chain, [NotNullWhen(false)] out AttestationFailure? failure)
    {
        chain = null;
        if (!TryLoad(evidence.CaCertificate, "CA", out var ca, out failure)
            || !TryLoad(evidence.AttestationKeyCertificate, "attestation key", out var key, out failure))
        {
            ca?.Dispose();
            return false;
        }

        using (ca)
        using (key)
        {
            failure = CheckCa(ca) ?? CheckAttestationKeyCertificate(key, ca, evidence);
            if (failure is not null)
            {
                return false;
            }

            var publicKey = key.GetECDsaPublicKey();
            if (publicKey is null || publicKey.KeySize != 256 || publicKey.ExportParameters(false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                publicKey?.Dispose();
                failure = new(AttestationFailureCode.AttestationKeyInvalid, $"the attestation key certificate's key is {key.PublicKey.Oid.FriendlyName ?? key.PublicKey.Oid.Value}; expected an ECDSA P-256 key");
                return false;
            }

            chain = new VerifiedChain(publicKey, Utc(ca.NotBefore), Utc(ca.NotAfter), Utc(key.NotBefore), Utc(key.NotAfter));
            return true;
        }
    }

    private AttestationFailure? CheckCa(X509Certificate2 ca)
    {
        if (!_anchors.Contains(ca.RawDataMemory.Span))
        {
            return new(
                AttestationFailureCode.RootNotTrusted,
                $"the simulated CA '{ca.Subject}' (SHA-256 {Convert.ToHexString(SHA256.HashData(ca.RawDataMemory.Span))}) is not a trust anchor; "
                + "simulation evidence is accepted only when the caller pins the simulated CA certificate (secgear platform init prints it)");
        }

        if (ca.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is not { CertificateAuthority: true })
        {
            return new(AttestationFailureCode.IssuerNotCertificateAuthority, $"'{ca.Subject}' is not a CA certificate (basic constraints)");
        }

        return null;
    }

    private static AttestationFailure? CheckAttestationKeyCertificate(X509Certificate2 key, X509Certificate2 ca, SimulationEvidence evidence)
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

        return signed
            ? null
            : new(AttestationFailureCode.AttestationKeyCertificateSignatureInvalid, "the attestation key certificate's signature does not verify with the simulated CA's ECDSA P-256 key");
    }

    private static bool TryLoad(ReadOnlyMemory<byte> der, string name, [NotNullWhen(true)] out X509Certificate2? certificate, [NotNullWhen(false)] out AttestationFailure? failure)
    {
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(der.Span);
            failure = null;
            return true;
        }
        catch (CryptographicException)
        {
            certificate = null;
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
            [AttestationPolicy.IsolationField] = evidence.InProcess ? AttestationPolicy.NoIsolation : "process",
        },
    };

    private static DateTimeOffset Utc(DateTime time) => new(time.ToUniversalTime(), TimeSpan.Zero);

    private static string Iso(DateTimeOffset time) => time.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture);
}
