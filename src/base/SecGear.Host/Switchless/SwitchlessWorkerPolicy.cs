namespace SecGear.Host;

/// <summary>What an idle switchless worker does (secGear's <c>workers_policy</c>).</summary>
public enum SwitchlessWorkerPolicy
{
    /// <summary>Spin for <see cref="SwitchlessOptions.RetriesBeforeSleep"/> polls, then sleep on a futex until work arrives.</summary>
    Wakeup = 0,

    /// <summary>Spin forever: lowest latency, one busy core per worker.</summary>
    Busy = 1,
}
