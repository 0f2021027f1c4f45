namespace SecGear.Attestation;

/// <summary>Raised by APIs that throw (collateral loading, policy loading, <see cref="AttestationResult.ThrowIfFailed"/>).</summary>
public sealed class AttestationException : SecGearException
{
    /// <summary>Creates an exception for a failure.</summary>
    public AttestationException(AttestationFailure failure)
        : base(EnclaveStatus.AttestationFailed, (failure ?? throw new ArgumentNullException(nameof(failure))).ToString())
    {
        Failure = failure;
    }

    /// <summary>Creates an exception for a failure code and message.</summary>
    public AttestationException(AttestationFailureCode code, string message)
        : this(new AttestationFailure(code, message))
    {
    }

    /// <summary>The failed check.</summary>
    public AttestationFailure Failure { get; }
}
