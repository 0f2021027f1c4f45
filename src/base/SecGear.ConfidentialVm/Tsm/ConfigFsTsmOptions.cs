namespace SecGear.ConfidentialVm.Tsm;

/// <summary>Limits and retries of <see cref="ConfigFsTsm"/>.</summary>
public sealed class ConfigFsTsmOptions
{
    /// <summary>Where report entries are created; default <c>/sys/kernel/config/tsm/report</c>.</summary>
    public string ReportRoot { get; init; } = ConfigFsTsm.DefaultReportRoot;

    /// <summary>Attempts when another writer changes the entry's generation (default 3).</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>Reads of a busy (EBUSY/EAGAIN) outblob before giving up (default 5).</summary>
    public int MaxBusyRetries { get; init; } = 5;

    /// <summary>Pause between busy retries; doubles each time (default 20 ms).</summary>
    public TimeSpan BusyDelay { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Largest outblob or auxblob accepted (default 32 KiB, the kernel's TSM_OUTBLOB_MAX).</summary>
    public int MaxBlobBytes { get; init; } = 32 * 1024;
}
