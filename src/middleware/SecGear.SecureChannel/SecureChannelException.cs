using SecGear.Attestation;

namespace SecGear.SecureChannel;

/// <summary>A secure channel failure. <see cref="Reason"/> says which check failed; the session is closed.</summary>
public sealed class SecureChannelException : SecGearException
{
    /// <summary>Creates an exception for a reason and a message (the message never holds key material or plaintext).</summary>
    public SecureChannelException(SecureChannelFailureReason reason, string message)
        : base(reason == SecureChannelFailureReason.AttestationFailed ? EnclaveStatus.AttestationFailed : EnclaveStatus.InvalidMarshalling, $"{reason}: {message}")
    {
        Reason = reason;
    }

    /// <summary>Creates an exception for a failed attestation check.</summary>
    public SecureChannelException(AttestationFailure attestationFailure)
        : base(EnclaveStatus.AttestationFailed, $"{SecureChannelFailureReason.AttestationFailed}: {attestationFailure ?? throw new ArgumentNullException(nameof(attestationFailure))}")
    {
        Reason = SecureChannelFailureReason.AttestationFailed;
        AttestationFailure = attestationFailure;
    }

    /// <summary>The check that failed.</summary>
    public SecureChannelFailureReason Reason { get; }

    /// <summary>The attestation check that failed, when <see cref="Reason"/> is <see cref="SecureChannelFailureReason.AttestationFailed"/>.</summary>
    public AttestationFailure? AttestationFailure { get; }
}
