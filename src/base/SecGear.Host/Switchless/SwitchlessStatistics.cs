namespace SecGear.Host;

/// <summary>
/// Switchless counters of one enclave since it was created (also published by the <c>SecGear.Switchless</c> meter).
/// Trusted-worker counts come from the enclave side of the shared pool and are reported as found.
/// </summary>
/// <param name="EcallsProcessed">ECALLs that completed through the pool (successfully or with an error from the enclave).</param>
/// <param name="OcallsProcessed">Switchless OCALLs the untrusted workers served.</param>
/// <param name="Fallbacks">Switchless ECALLs made as regular calls instead (request too large, pool full with rollback, no worker in time).</param>
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
    long TrustedWorkerWakes);
