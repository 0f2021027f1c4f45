namespace SecGear.VerticalFl;

/// <summary>Why the split-layer enclave refused a call or a message (negative ECALL results, error messages).</summary>
public enum VflStatus
{
    /// <summary>Success.</summary>
    Ok = 0,

    /// <summary>No training run is configured.</summary>
    NotConfigured = -1,

    /// <summary>A plan, message or argument is malformed or out of its limits.</summary>
    InvalidInput = -2,

    /// <summary>A message or call names a round other than the one in progress (replayed, reordered or stale).</summary>
    WrongRound = -3,

    /// <summary>A round's data is incomplete: a follower's embeddings or gradient fetch is missing.</summary>
    NotReady = -4,

    /// <summary>The followers' batch id hashes differ from each other or from the host's ids (misaligned rows).</summary>
    Misaligned = -5,

    /// <summary>The call is not allowed in the configured mode.</summary>
    WrongMode = -6,

    /// <summary>The secure channel refused a frame (tampered, replayed, reordered, unknown session).</summary>
    ChannelRefused = -7,

    /// <summary>A session claims a party that is unknown or already bound to another session.</summary>
    UnknownParty = -8,

    /// <summary>The output buffer is too small.</summary>
    BufferTooSmall = -9,

    /// <summary>A value is not finite (NaN or infinity): training diverged or the input was hostile.</summary>
    NotFinite = -10,

    /// <summary>A follower disconnected or failed mid-round; the run is rolled back to its last checkpoint.</summary>
    FollowerDropped = -11,

    /// <summary>A follower refused the enclave: its evidence failed the follower's policy.</summary>
    EnclaveRefused = -12,

    /// <summary>A follower's session is not authenticated as the party it claims (its channel key is another party's).</summary>
    Unauthenticated = -13,

    /// <summary>A follower refused the plan the enclave runs: it differs from the plan its operator configured.</summary>
    PlanRejected = -14,

    /// <summary>A sealed checkpoint cannot be restored (not sealed by this enclave's signer, altered, or of another plan).</summary>
    CheckpointRejected = -15,
}
