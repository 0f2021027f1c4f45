using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.Attestation;

namespace SecGear.RaTls;

/// <summary>
/// Relying-party side of RA-TLS: validates a peer's RA-TLS certificate (self-signed, evidence extension, evidence
/// verified by an <see cref="AttestationVerifier"/>, report data bound to the certificate's key, claims accepted by an
/// <see cref="AttestationPolicy"/>) and provides the <see cref="RemoteCertificateValidationCallback"/> for
/// <see cref="SslStream"/>. Thread-safe; checks and their order are in docs/ra-tls.md.
/// </summary>
public sealed class RaTlsValidator
{
    private readonly AttestationVerifier _verifier;
    private readonly AttestationPolicy _policy;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a validator.</summary>
    /// <param name="verifier">Verifies the evidence; register the plug-ins (and simulation anchors) the peer's TEE needs.</param>
    /// <param name="policy">
    /// What to accept. Leave <see cref="AttestationPolicy.ExpectedReportData"/> unset: the validator itself requires the
    /// report data to bind the certificate's key.
    /// </param>
    /// <param name="timeProvider">The clock for the certificate validity and evidence verification (default the system clock).</param>
    public RaTlsValidator(AttestationVerifier verifier, AttestationPolicy policy, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(verifier);
        ArgumentNullException.ThrowIfNull(policy);
        _verifier = verifier;
        _policy = policy;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Whether a host-name mismatch reported by <see cref="SslStream"/> refuses the certificate (default true). Set false
    /// when the peer is identified only by its measurement, e.g. an enclave reached through a relay under any address.
    /// </summary>
    public bool CheckHostName { get; init; } = true;

    /// <summary>Supplies collateral for evidence that needs it (Intel DCAP quotes); null = no collateral is passed.</summary>
    public Func<Evidence, Collateral?>? CollateralSource { get; init; }

    /// <summary>
    /// The callback for <see cref="SslClientAuthenticationOptions.RemoteCertificateValidationCallback"/> (or the server's,
    /// for attested clients). <paramref name="observer"/> receives every result, so callers can read the verified claims
    /// or the failure reason after the handshake.
    /// </summary>
    public RemoteCertificateValidationCallback CreateCallback(Action<RaTlsValidationResult>? observer = null) =>
        (_, certificate, _, errors) =>
        {
            var result = Validate(certificate, errors);
            observer?.Invoke(result);
            return result.Succeeded;
        };

    /// <summary>
    /// Validates <paramref name="certificate"/>. <paramref name="sslPolicyErrors"/> are the errors <see cref="SslStream"/>
    /// found: chain errors are replaced by the validator's own self-signed check; a missing certificate or (when
    /// <see cref="CheckHostName"/>) a name mismatch refuses it. Never throws for a bad certificate.
    /// </summary>
    public RaTlsValidationResult Validate(X509Certificate? certificate, SslPolicyErrors sslPolicyErrors = SslPolicyErrors.None)
    {
        if (certificate is null || (sslPolicyErrors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return RaTlsValidationResult.Fail(RaTlsFailureCode.CertificateMissing, "the peer presented no certificate");
        }

        if (CheckHostName && (sslPolicyErrors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return RaTlsValidationResult.Fail(RaTlsFailureCode.NameMismatch, "the certificate does not name the host the client connected to");
        }

        try
        {
            // SslStream hands a base X509Certificate on some paths; copy to X509Certificate2 without trusting its origin.
            using var owned = certificate as X509Certificate2 is null ? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()) : null;
            return ValidateCertificate(owned ?? (X509Certificate2)certificate);
        }
        catch (CryptographicException ex)
        {
            // Certificate fields are decoded lazily: a field that does not decode (a bad validity date, key or extension) surfaces here.
            return RaTlsValidationResult.Fail(RaTlsFailureCode.CertificateInvalid, $"the certificate does not decode: {ex.Message}");
        }
    }

    private RaTlsValidationResult ValidateCertificate(X509Certificate2 cert)
    {
        var time = _timeProvider.GetUtcNow();

        using (var key = cert.GetECDsaPublicKey())
        {
            if (key is null || (key.KeySize != 256 && key.KeySize != 384))
            {
                return RaTlsValidationResult.Fail(
                    RaTlsFailureCode.UnsupportedKey, $"the certificate key is {cert.PublicKey.Oid.FriendlyName ?? cert.PublicKey.Oid.Value} ({key?.KeySize ?? 0} bits); ECDSA P-256 or P-384 is required");
            }
        }

        if (SelfSignature.Check(cert, time) is { } invalid)
        {
            return RaTlsValidationResult.Fail(RaTlsFailureCode.CertificateInvalid, invalid);
        }

        X509Extension? extension = null;
        foreach (var candidate in cert.Extensions)
        {
            if (candidate.Oid?.Value == RaTlsEvidenceExtension.Oid)
            {
                if (extension is not null)
                {
                    return RaTlsValidationResult.Fail(RaTlsFailureCode.ExtensionDuplicated, "the certificate has more than one evidence extension");
                }

                extension = candidate;
            }
        }

        if (extension is null)
        {
            return RaTlsValidationResult.Fail(RaTlsFailureCode.ExtensionMissing, $"the certificate has no evidence extension {RaTlsEvidenceExtension.Oid}");
        }

        if (!RaTlsEvidenceExtension.TryReadEvidence(extension.RawData, out var evidenceBytes, out var error))
        {
            return RaTlsValidationResult.Fail(RaTlsFailureCode.ExtensionMalformed, error);
        }

        var evidence = Evidence.Detect(evidenceBytes);
        var verified = _verifier.Verify(evidence, CollateralSource?.Invoke(evidence), time);
        if (!verified.Succeeded)
        {
            return RaTlsValidationResult.Fail(
                RaTlsFailureCode.EvidenceRejected, $"the {evidence.Format} evidence did not verify", verified.Failure, verified.Claims);
        }

        var claims = verified.Claims;
        if (!KeyBinding.Matches(claims.ReportData.Span, cert.PublicKey.ExportSubjectPublicKeyInfo()))
        {
            return RaTlsValidationResult.Fail(
                RaTlsFailureCode.KeyBindingMismatch,
                "the evidence's report data is not SHA-256 of this certificate's SubjectPublicKeyInfo followed by zeros: the evidence was made for another key",
                claims: claims);
        }

        var policyFailure = _policy.Evaluate(claims);
        return policyFailure is null
            ? RaTlsValidationResult.Success(claims)
            : RaTlsValidationResult.Fail(RaTlsFailureCode.PolicyRejected, "the attestation policy refused the enclave", policyFailure, claims);
    }
}
