namespace SecGear.Host;

/// <summary>
/// Switchless counters of one enclave since it was created (also published by the <c>SecGear.Switchless</c> meter).
/// Trusted-worker counts and switchless OCALL fallbacks come from the enclave side of the shared pool and are
/// reported as found. The <c>Fallbacks…</c> properties split the fallbacks of both directions by reason
/// (docs/switchless.md, "Fallbacks").
/// </summary>
/// <param name="EcallsProcessed">ECALLs that completed through the pool (successfully or with an error from the enclave).</param>
/// <param name="OcallsProcessed">Switchless OCALLs the untrusted workers served.</param>
/// <param name="Fallbacks">Switchless ECALLs made as regular calls instead, for any reason.</param>
/// <param name="PoolFullEvents">Times a caller found every ECALL task in use.</param>
/// <param name="UntrustedWorkerSleeps">Times an untrusted (host) worker went to sleep.</param>
/// <param name="UntrustedWorkerWakes">Times an untrusted worker woke from sleep.</param>
/// <param name="TrustedWorkerSleeps">Times a trusted (enclave) worker went to sleep.</param>
/// <param name="TrustedWorkerWakes">Times a trusted worker woke from sleep.</param>
public readonly record struct SwitchlessStatistics(
    long EcallsProcessed,
    long OcallsProcessed,
    long Fallbacks,
    long PoolFullEvents,
    long UntrustedWorkerSleeps,
    long UntrustedWorkerWakes,
    long TrustedWorkerSleeps,
    long TrustedWorkerWakes)
{
    /// <summary>Switchless OCALLs the enclave made as regular calls instead, for any reason.</summary>
    public long OcallFallbacks { get; init; }

    /// <summary>Switchless functions called while the feature is off (the host opted out), so made as regular calls.</summary>
    public long FallbacksFeatureOff { get; init; }

    /// <summary>Requests larger than a task (<see cref="SwitchlessOptions.MaxInlinePayload"/>), made as regular calls.</summary>
    public long FallbacksTooLarge { get; init; }

    /// <summary>Calls that found every task in use and rolled back to a regular call.</summary>
    public long FallbacksPoolFull { get; init; }

    /// <summary>Calls no worker accepted within <see cref="SwitchlessOptions.FallbackTimeout"/> (descheduled, stopped or busy workers).</summary>
    public long FallbacksNotAccepted { get; init; }

    /// <summary>Calls made regularly during the back-off that follows a call no worker accepted in time.</summary>
    public long FallbacksBackoff { get; init; }

    /// <summary>Switchless ECALLs made from an OCALL handler of a regular call: they stay on that call's enclave thread.</summary>
    public long FallbacksNested { get; init; }

    /// <summary>Calls made regularly because switchless calls measured slower than regular ones recently (a busy machine).</summary>
    public long FallbacksSlower { get; init; }

    /// <summary>Calls made regularly to keep the regular path's cost known (at most about 1/64 of the time: a sample per 64 regular calls' time, at least 1 ms apart).</summary>
    public long FallbacksSampling { get; init; }
}
