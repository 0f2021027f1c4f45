namespace SecGear.Host.Switchless;

/// <summary>
/// The host's switchless counters of one enclave, kept whether or not its pool runs (a switchless function called
/// with the feature off is counted here and logged once), and the snapshot that becomes <see cref="SwitchlessStatistics"/>.
/// </summary>
internal sealed class SwitchlessCounters(string enclaveName, Action<string> warn)
{
    private readonly long[] _fallbacks = new long[Enum.GetValues<SwitchlessFallbackReason>().Length];
    private readonly StripedCounter _ecalls = new();
    private readonly StripedCounter _ocalls = new();
    private long _ecallFallbacks;
    private long _poolFull;
    private long _sleeps;
    private long _wakes;
    private int _offLogged;

    public string EnclaveName => enclaveName;

    public ref long UntrustedSleeps => ref _sleeps;

    public ref long UntrustedWakes => ref _wakes;

    /// <summary>Counted on every switchless ECALL: striped, so concurrent callers do not share a line per call.</summary>
    public void EcallProcessed() => _ecalls.Increment();

    public void OcallProcessed() => _ocalls.Increment();

    public void PoolFull() => Interlocked.Increment(ref _poolFull);

    /// <summary>Counts a switchless ECALL made as a regular call.</summary>
    public void EcallFallback(SwitchlessFallbackReason reason)
    {
        Interlocked.Increment(ref _ecallFallbacks);
        Interlocked.Increment(ref _fallbacks[(int)reason]);
    }

    /// <summary>A switchless ECALL or OCALL ran as a regular call because the host opted out: counted, and logged the first time.</summary>
    public void FeatureOff(string function, bool ecall)
    {
        Interlocked.Increment(ref _fallbacks[(int)SwitchlessFallbackReason.FeatureOff]);
        if (ecall)
        {
            Interlocked.Increment(ref _ecallFallbacks);
        }

        if (Interlocked.Exchange(ref _offLogged, 1) == 0)
        {
            warn($"Enclave '{enclaveName}': switchless {(ecall ? "ECALL" : "OCALL")} '{function}' (transition_using_threads) ran as a regular call because switchless calls are off for this enclave (SwitchlessOptions.Enabled = false). Further ones are counted (SwitchlessStatistics.FallbacksFeatureOff), not logged.");
        }
    }

    /// <summary>The counters, with the enclave side's (read from the pool header; zero when there is no pool).</summary>
    public SwitchlessStatistics Snapshot(in EnclaveSideCounts enclave)
    {
        long F(SwitchlessFallbackReason reason) => Volatile.Read(ref _fallbacks[(int)reason]);
        return new SwitchlessStatistics(
            _ecalls.Read(), _ocalls.Read(), Volatile.Read(ref _ecallFallbacks), Volatile.Read(ref _poolFull),
            Volatile.Read(ref _sleeps), Volatile.Read(ref _wakes), enclave.TrustedSleeps, enclave.TrustedWakes)
        {
            OcallFallbacks = enclave.NotAccepted + enclave.PoolFull + enclave.TooLarge + enclave.Backoff + enclave.Slower + enclave.Sampling,
            FallbacksFeatureOff = F(SwitchlessFallbackReason.FeatureOff),
            FallbacksTooLarge = F(SwitchlessFallbackReason.TooLarge) + enclave.TooLarge,
            FallbacksPoolFull = F(SwitchlessFallbackReason.PoolFull) + enclave.PoolFull,
            FallbacksNotAccepted = F(SwitchlessFallbackReason.NotAccepted) + enclave.NotAccepted,
            FallbacksBackoff = F(SwitchlessFallbackReason.Backoff) + enclave.Backoff,
            FallbacksNested = F(SwitchlessFallbackReason.Nested),
            FallbacksSlower = F(SwitchlessFallbackReason.Slower) + enclave.Slower,
            FallbacksSampling = F(SwitchlessFallbackReason.Sampling) + enclave.Sampling,
        };
    }
}

/// <summary>Counters the enclave keeps in the pool header (untrusted for the enclave, reported as found by the host).</summary>
internal readonly record struct EnclaveSideCounts(long TrustedSleeps, long TrustedWakes, long NotAccepted, long PoolFull, long TooLarge, long Backoff, long Slower, long Sampling);
