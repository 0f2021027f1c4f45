namespace SecGear.Host;

/// <summary>Why a switchless call was made as a regular call (the <c>reason</c> tag of the <c>secgear.switchless.fallbacks</c> counter).</summary>
public enum SwitchlessFallbackReason
{
    /// <summary>The host opted out of switchless calls (<see cref="SwitchlessOptions.Enabled"/> is false).</summary>
    FeatureOff = 0,

    /// <summary>The request is larger than a task.</summary>
    TooLarge = 1,

    /// <summary>Every task was in use and <see cref="SwitchlessOptions.RollbackToRegularCall"/> is on.</summary>
    PoolFull = 2,

    /// <summary>No worker accepted the task within <see cref="SwitchlessOptions.FallbackTimeout"/>.</summary>
    NotAccepted = 3,

    /// <summary>A recent call was not accepted in time: calls go the regular way for a short, growing period.</summary>
    Backoff = 4,

    /// <summary>A switchless ECALL from an OCALL handler of a regular call stays on that call's enclave thread.</summary>
    Nested = 5,

    /// <summary>Switchless calls measured slower than regular calls recently (a busy machine): regular calls for a while.</summary>
    Slower = 6,

    /// <summary>A call goes the regular way now and then (at most about 1/64 of the time), so that the regular path's cost stays known.</summary>
    Sampling = 7,
}
