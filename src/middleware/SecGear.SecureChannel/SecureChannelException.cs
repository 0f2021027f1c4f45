using SecGear.Attestation;

namespace SecGear.SecureChannel;

/// <summary>A secure channel failure. <see cref="Reason"/> says which check failed; the session is closed.</summary>
public sealed class SecureChannelException : SecGearException
{
    /// <summary>Creates an exception for a reason and a message (the message never holds key material or plaintext).</summary>
    public SecureChannelException(SecureChannelFailureCode reason, string message)
        : base(reason == SecureChannelFailureCode.AttestationFailed ? EnclaveStatus.AttestationFailed : EnclaveStatus.InvalidMarshalling, $"{reason}: {message}")
    {
        Reason = reason;
    }

    /// <summary>Creates an exception for a failed attestation check.</summary>
    public SecureChannelException(AttestationFailure attestationFailure)
        : base(EnclaveStatus.AttestationFailed, $"{SecureChannelFailureCode.AttestationFailed}: {attestationFailure ?? throw new ArgumentNullException(nameof(attestationFailure))}")
    {
        Reason = SecureChannelFailureCode.AttestationFailed;
        AttestationFailure = attestationFailure;
    }

    /// <summary>Creates an exception for a failure the server reported to this client in an Alert frame.</summary>
    internal SecureChannelException(SecureChannelFailureCode reason, bool authenticated, string message)
        : base(EnclaveStatus.InvalidMarshalling, $"{reason}: {message}")
    {
        Reason = reason;
        IsPeerAlert = true;
        IsAuthenticatedAlert = authenticated;
    }

    /// <summary>The check that failed (for a peer alert: the check that failed on the server).</summary>
    public SecureChannelFailureCode Reason { get; }

    /// <summary>True when the failure happened on the server, which reported <see cref="Reason"/> in an Alert frame.</summary>
    public bool IsPeerAlert { get; }

    /// <summary>
    /// True when that alert was sealed under the session's traffic key, so it really comes from the enclave. False for a
    /// plain alert (sent during the handshake or for a session the server no longer holds): the untrusted host could have
    /// forged it, so its reason is advisory — though all a forger gains is ending a channel it could end anyway.
    /// </summary>
    public bool IsAuthenticatedAlert { get; }

    /// <summary>
    /// On the server: the Alert frame that tells the client why its message was rejected. A relay writes it to the client
    /// before it ends the connection. Empty on the client and when no alert applies.
    /// </summary>
    public ReadOnlyMemory<byte> AlertFrame { get; internal set; }

    /// <summary>The attestation check that failed, when <see cref="Reason"/> is <see cref="SecureChannelFailureCode.AttestationFailed"/>.</summary>
    public AttestationFailure? AttestationFailure { get; }
}
