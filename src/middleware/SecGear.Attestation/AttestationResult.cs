using System.Diagnostics.CodeAnalysis;

namespace SecGear.Attestation;

/// <summary>
/// The outcome of verification: claims, or the failure naming the check that failed. When every signature and chain
/// verified but the TCB status or the policy rejected the evidence, <see cref="Claims"/> is also set so callers can
/// see what was found; <see cref="Succeeded"/> is true only when <see cref="Failure"/> is null.
/// </summary>
public sealed class AttestationResult
{
    private AttestationResult(AttestationClaims? claims, AttestationFailure? failure)
    {
        Claims = claims;
        Failure = failure;
    }

    /// <summary>True when the evidence verified and the policy (if any) passed; then <see cref="Claims"/> is set.</summary>
    [MemberNotNullWhen(true, nameof(Claims))]
    [MemberNotNullWhen(false, nameof(Failure))]
    public bool Succeeded => Failure is null;

    /// <summary>The claims: always set on success; set on failure only when all cryptographic checks passed.</summary>
    public AttestationClaims? Claims { get; }

    /// <summary>The failed check, or null on success.</summary>
    public AttestationFailure? Failure { get; }

    /// <summary>A successful result.</summary>
    public static AttestationResult Success(AttestationClaims claims) =>
        new(claims ?? throw new ArgumentNullException(nameof(claims)), null);

    /// <summary>A failed result, optionally carrying the claims of evidence whose signatures verified.</summary>
    public static AttestationResult Fail(AttestationFailure failure, AttestationClaims? claims = null) =>
        new(claims, failure ?? throw new ArgumentNullException(nameof(failure)));

    /// <summary>A failed result.</summary>
    public static AttestationResult Fail(AttestationFailureCode code, string message) => Fail(new AttestationFailure(code, message));

    /// <summary>Returns the claims, or throws <see cref="AttestationException"/> naming the failed check.</summary>
    public AttestationClaims ThrowIfFailed() => Succeeded ? Claims : throw new AttestationException(Failure);
}
