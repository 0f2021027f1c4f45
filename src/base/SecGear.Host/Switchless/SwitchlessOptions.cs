using SecGear.Switchless;

namespace SecGear.Host;

/// <summary>
/// Switchless calls (secGear's <c>cc_sl_config_t</c>), requested by adding an instance to
/// <see cref="EnclaveOptions.Features"/>. Callers post ECALLs into a task pool in shared memory that trusted workers
/// poll; the enclave posts switchless OCALLs into a second pool that untrusted workers in the host poll. The
/// defaults suit a 2-core machine: one worker per side that sleeps when idle. See docs/switchless.md.
/// </summary>
public sealed class SwitchlessOptions : EnclaveFeature
{
    /// <summary>Default <see cref="PoolSize"/>: 32 tasks per direction.</summary>
    public const int DefaultPoolSize = 32;

    /// <summary>Default <see cref="MaxInlinePayload"/>: 4032 bytes (a task is then 4 KiB).</summary>
    public const int DefaultMaxInlinePayload = 4096 - 64;

    /// <inheritdoc />
    public override string Name => "switchless";

    /// <summary>Host threads that poll the OCALL pool and complete asynchronous ECALLs (secGear <c>num_uworkers</c>), 1..512.</summary>
    public int UntrustedWorkers { get; init; } = 1;

    /// <summary>Enclave threads that poll the ECALL pool (secGear <c>num_tworkers</c>), 1..512.</summary>
    public int TrustedWorkers { get; init; } = 1;

    /// <summary>Tasks in each pool (ECALL and OCALL): calls that can be in flight at once (secGear <c>sl_call_pool_size_qwords</c>), 1..4096.</summary>
    public int PoolSize { get; init; } = DefaultPoolSize;

    /// <summary>
    /// Largest request or response a task carries inline (the analogue of secGear's <c>num_max_params</c>), 256 bytes
    /// to 16 MiB, a multiple of 8. A larger request goes as a regular call; a larger response fails the call with
    /// <see cref="PayloadTooLargeException"/>.
    /// </summary>
    public int MaxInlinePayload { get; init; } = DefaultMaxInlinePayload;

    /// <summary>
    /// How many polls a caller waits for a worker to accept its task before it takes the task back and makes a regular
    /// call instead (secGear <c>retries_before_fallback</c>); 0 falls back at once when no worker is polling.
    /// </summary>
    public int RetriesBeforeFallback { get; init; } = 20_000;

    /// <summary>How many empty polls an idle <see cref="SwitchlessWorkerPolicy.Wakeup"/> worker makes before it sleeps (secGear <c>retries_before_sleep</c>).</summary>
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

    internal SwitchlessConfig ToConfig()
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
            [.. TrustedWorkerAffinity]);
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
