using SecGear.Switchless;

namespace SecGear.Host;

/// <summary>
/// Switchless calls (secGear's <c>cc_sl_config_t</c>), configured by adding an instance to
/// <see cref="EnclaveOptions.Features"/>. Callers post ECALLs into a task pool in shared memory that trusted workers
/// poll; the enclave posts switchless OCALLs into a second pool that untrusted workers in the host poll. An enclave
/// whose contracts declare <c>transition_using_threads</c> functions gets them with these defaults even when the
/// host adds nothing; <c>new SwitchlessOptions { Enabled = false }</c> opts out. The defaults suit a 2-core machine:
/// one worker per side that sleeps when idle. See docs/switchless.md.
/// </summary>
public sealed class SwitchlessOptions : EnclaveFeature
{
    /// <summary>Default <see cref="PoolSize"/>: 32 tasks per direction.</summary>
    public const int DefaultPoolSize = 32;

    /// <summary>
    /// Default <see cref="MaxInlinePayload"/>: 69568 bytes (a task is then 68 KiB), enough for the largest secure-channel
    /// record (64 KiB of plaintext and its header, tag and length prefix) in one task. Above 64 KiB the copy dominates
    /// and a shared buffer is faster (docs/switchless.md); longer responses still arrive, in chunks.
    /// </summary>
    public const int DefaultMaxInlinePayload = (68 * 1024) - 64;

    /// <summary>Default <see cref="FallbackTimeout"/>: 2 ms.</summary>
    public static readonly TimeSpan DefaultFallbackTimeout = TimeSpan.FromMilliseconds(2);

    /// <inheritdoc />
    public override string Name => "switchless";

    /// <summary>
    /// False opts this enclave out of switchless calls: <c>transition_using_threads</c> functions then make regular
    /// calls, the first one is logged and each is counted (<see cref="SwitchlessStatistics.FallbacksFeatureOff"/>).
    /// </summary>
    public bool Enabled { get; init; } = true;

    /// <summary>
    /// The longest a caller waits for a worker to accept its task before it takes the task back and makes a regular
    /// call (a worker that is descheduled, stopped or busy with a long call); the side's calls then go the regular way
    /// for a short back-off (5 ms, doubling to 200 ms while probes fail). <see cref="Timeout.InfiniteTimeSpan"/> waits
    /// without a limit; otherwise 0 to 60 s.
    /// </summary>
    public TimeSpan FallbackTimeout { get; init; } = DefaultFallbackTimeout;

    /// <summary>Host threads that poll the OCALL pool and complete asynchronous ECALLs (secGear <c>num_uworkers</c>), 1..512.</summary>
    public int UntrustedWorkers { get; init; } = 1;

    /// <summary>Enclave threads that poll the ECALL pool (secGear <c>num_tworkers</c>), 1..512.</summary>
    public int TrustedWorkers { get; init; } = 1;

    /// <summary>Tasks in each pool (ECALL and OCALL): calls that can be in flight at once (secGear <c>sl_call_pool_size_qwords</c>), 1..4096.</summary>
    public int PoolSize { get; init; } = DefaultPoolSize;

    /// <summary>
    /// Largest request or response a task carries inline (the analogue of secGear's <c>num_max_params</c>), 256 bytes
    /// to 16 MiB, a multiple of 8. A larger request goes as a regular call (counted as <c>TooLarge</c>); a larger
    /// response travels back through the same task in chunks (the call runs once).
    /// </summary>
    public int MaxInlinePayload { get; init; } = DefaultMaxInlinePayload;

    /// <summary>
    /// How many polls a spinning caller makes for a worker to accept its task before it takes the task back and makes
    /// a regular call instead (secGear <c>retries_before_fallback</c>); 0 falls back at once when no worker is polling.
    /// A caller spins only briefly and then parks, so <see cref="FallbackTimeout"/> is usually the bound that applies.
    /// </summary>
    public int RetriesBeforeFallback { get; init; } = 20_000;

    /// <summary>
    /// The most empty polls an idle <see cref="SwitchlessWorkerPolicy.Wakeup"/> worker makes before it sleeps (secGear
    /// <c>retries_before_sleep</c>). It sleeps sooner on time (after 200 µs idle), and right after its batch while the
    /// CPUs are oversubscribed.
    /// </summary>
    public int RetriesBeforeSleep { get; init; } = 20_000;

    /// <summary>What idle workers do (secGear <c>workers_policy</c>).</summary>
    public SwitchlessWorkerPolicy WorkerPolicy { get; init; } = SwitchlessWorkerPolicy.Wakeup;

    /// <summary>
    /// When every task is in use: true makes a regular call instead (secGear <c>rollback_to_common</c>); false fails the
    /// call with <see cref="SwitchlessPoolFullException"/>.
    /// </summary>
    public bool RollbackToRegularCall { get; init; } = true;

    /// <summary>CPUs the trusted workers are pinned to (secGear <c>tworkers_cores</c>); empty leaves them unpinned.</summary>
    public IReadOnlyList<int> TrustedWorkerAffinity { get; init; } = [];

    /// <summary>
    /// False turns off the path choice (benchmarks only: the pool is always tried, to measure its raw cost; fallbacks
    /// for a worker that does not accept remain).
    /// </summary>
    internal bool Adaptive { get; init; } = true;

    /// <param name="ifDeclared">Start the pool only if the enclave's contracts declare switchless functions (default-on rule).</param>
    internal SwitchlessConfig ToConfig(bool ifDeclared = false)
    {
        Validate();
        return new SwitchlessConfig(
            PoolSize,
            MaxInlinePayload,
            TrustedWorkers,
            UntrustedWorkers,
            RetriesBeforeFallback,
            RetriesBeforeSleep,
            WorkerPolicy == SwitchlessWorkerPolicy.Busy,
            RollbackToRegularCall,
            [.. TrustedWorkerAffinity],
            FallbackTimeout == Timeout.InfiniteTimeSpan ? -1 : (long)FallbackTimeout.TotalMicroseconds,
            ifDeclared,
            Adaptive);
    }

    /// <summary>Rejects out-of-range values with an <see cref="ArgumentException"/> that names the option.</summary>
    internal void Validate()
    {
        Range(nameof(UntrustedWorkers), UntrustedWorkers, 1, SwitchlessConfig.MaxWorkers);
        Range(nameof(TrustedWorkers), TrustedWorkers, 1, SwitchlessConfig.MaxWorkers);
        Range(nameof(PoolSize), PoolSize, 1, SwitchlessConfig.MaxTasks);
        Range(nameof(MaxInlinePayload), MaxInlinePayload, SwitchlessConfig.MinInline, SwitchlessConfig.MaxInline);
        if (MaxInlinePayload % 8 != 0)
        {
            throw new ArgumentException($"SwitchlessOptions.MaxInlinePayload must be a multiple of 8 (untrusted memory is written in 8-byte words); it is {MaxInlinePayload}.", nameof(MaxInlinePayload));
        }

        Range(nameof(RetriesBeforeFallback), RetriesBeforeFallback, 0, int.MaxValue);
        Range(nameof(RetriesBeforeSleep), RetriesBeforeSleep, 0, int.MaxValue);
        if (FallbackTimeout != Timeout.InfiniteTimeSpan
            && (FallbackTimeout < TimeSpan.Zero || FallbackTimeout.TotalMicroseconds > SwitchlessConfig.MaxFallbackTimeoutUs))
        {
            throw new ArgumentOutOfRangeException(nameof(FallbackTimeout), FallbackTimeout, "SwitchlessOptions.FallbackTimeout must be Timeout.InfiniteTimeSpan or between 0 and 60 seconds.");
        }

        if (!Enum.IsDefined(WorkerPolicy))
        {
            throw new ArgumentOutOfRangeException(nameof(WorkerPolicy), WorkerPolicy, "SwitchlessOptions.WorkerPolicy must be Wakeup or Busy.");
        }

        ArgumentNullException.ThrowIfNull(TrustedWorkerAffinity, nameof(TrustedWorkerAffinity));
        foreach (int cpu in TrustedWorkerAffinity)
        {
            if (cpu < 0 || cpu >= Environment.ProcessorCount)
            {
                throw new ArgumentOutOfRangeException(nameof(TrustedWorkerAffinity), cpu, $"SwitchlessOptions.TrustedWorkerAffinity names CPU {cpu}; this machine has CPUs 0..{Environment.ProcessorCount - 1}.");
            }
        }

        long pool = SecGear.Switchless.PoolLayout.PoolSize(PoolSize, MaxInlinePayload);
        if (pool > 1L << 30)
        {
            throw new ArgumentException($"SwitchlessOptions: PoolSize x MaxInlinePayload makes a {pool}-byte pool; the limit is 1 GiB.", nameof(PoolSize));
        }
    }

    private static void Range(string name, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"SwitchlessOptions.{name} must be between {min} and {max}.");
        }
    }
}
