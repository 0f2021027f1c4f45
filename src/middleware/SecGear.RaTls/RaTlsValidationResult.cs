using SecGear.Attestation;

namespace SecGear.RaTls;

/// <summary>The outcome of validating an RA-TLS certificate: the verified claims, or the failure.</summary>
public sealed class RaTlsValidationResult
{
    private RaTlsValidationResult(AttestationClaims? claims, RaTlsFailure? failure)
    {
        Claims = claims;
        Failure = failure;
    }

    /// <summary>True when every check passed.</summary>
    public bool Succeeded => Failure is null;

    /// <summary>The claims: set on success, and on failure once the evidence's signatures verified (for diagnosis only).</summary>
    public AttestationClaims? Claims { get; }

    /// <summary>The failed check, or null on success.</summary>
    public RaTlsFailure? Failure { get; }

    internal static RaTlsValidationResult Success(AttestationClaims claims) => new(claims, null);

    internal static RaTlsValidationResult Fail(RaTlsFailureCode code, string message, AttestationFailure? attestation = null, AttestationClaims? claims = null) =>
        new(claims, new RaTlsFailure(code, message, attestation));
}
