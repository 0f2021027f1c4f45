namespace SecGear.SecureChannel;

/// <summary>Why a secure channel operation failed. Every failure closes the session it happened in.</summary>
public enum SecureChannelFailureCode
{
    /// <summary>A message is truncated, has inconsistent lengths or trailing bytes.</summary>
    MalformedMessage = 1,

    /// <summary>A message of a type that is not allowed in the current state.</summary>
    UnexpectedMessage,

    /// <summary>The peer speaks a protocol version this side does not support.</summary>
    UnsupportedVersion,

    /// <summary>The client and server have no cipher suite in common.</summary>
    NoCommonSuite,

    /// <summary>The server's evidence did not verify, failed the policy, or is not bound to this handshake.</summary>
    AttestationFailed,

    /// <summary>A peer's ephemeral public key is not a valid point on the suite's curve.</summary>
    InvalidPublicKey,

    /// <summary>A Finished message did not match: the peers do not share the same keys and transcript.</summary>
    KeyConfirmationFailed,

    /// <summary>A frame announces a length above the configured maximum.</summary>
    FrameTooLarge,

    /// <summary>A record's plaintext is above the configured maximum.</summary>
    RecordTooLarge,

    /// <summary>The server refused a new session: the maximum number of concurrent sessions is reached.</summary>
    SessionLimitReached,

    /// <summary>The message names a session the server does not know (never opened, closed or expired).</summary>
    UnknownSession,

    /// <summary>A record carries another session's id.</summary>
    CrossSession,

    /// <summary>A record's sequence number was already received.</summary>
    Replayed,

    /// <summary>A record's sequence number is ahead of the next expected one: records were dropped or reordered.</summary>
    Reordered,

    /// <summary>A record is shorter than its header and tag, or the transport ended before an authenticated close.</summary>
    Truncated,

    /// <summary>A record failed authentication: its bytes, header or key epoch were tampered with.</summary>
    AuthenticationFailed,

    /// <summary>A record names a key epoch that is neither the current one nor the next.</summary>
    UnexpectedEpoch,

    /// <summary>The session was idle longer than the configured timeout.</summary>
    IdleTimeout,

    /// <summary>The session is closed; no more records can be sent or received.</summary>
    SessionClosed,

    /// <summary>The 64-bit sequence number space of a direction is used up.</summary>
    SequenceExhausted,

    /// <summary>The enclave's evidence provider failed to produce evidence.</summary>
    EvidenceUnavailable,

    /// <summary>The server requires a client certificate and the client sent none.</summary>
    ClientCertificateRequired,

    /// <summary>The client certificate is malformed, outside its validity period, or not accepted by the server's policy.</summary>
    ClientCertificateRejected,

    /// <summary>The client's signature over the handshake is missing, of the wrong kind for the suite, or does not verify with its certificate.</summary>
    ClientCertificateSignatureInvalid,
}
