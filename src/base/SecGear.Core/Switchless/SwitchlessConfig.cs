using System.Globalization;

namespace SecGear.Switchless;

/// <summary>
/// The switchless settings both sides need (validated <c>SwitchlessOptions</c>), and their one-argument form on the
/// runner's command line:
/// <c>tasks,inline,tworkers,uworkers,retriesBeforeFallback,retriesBeforeSleep,busy,rollback,cpu+cpu...,fallbackTimeoutUs,ifDeclared,adaptive</c>.
/// <c>FallbackTimeoutUs</c> is how long a caller waits for a worker to accept its task before it makes a regular call
/// (-1: no limit); <c>IfDeclared</c> starts the pool only when one of the enclave's contracts declares a
/// <c>transition_using_threads</c> function (the default-on rule: the host did not configure the feature);
/// <c>Adaptive</c> off (benchmarks only) makes the pacer always choose the pool, to measure its raw cost.
/// </summary>
internal sealed record SwitchlessConfig(
    int Tasks,
    int InlineCapacity,
    int TrustedWorkers,
    int UntrustedWorkers,
    int RetriesBeforeFallback,
    int RetriesBeforeSleep,
    bool Busy,
    bool Rollback,
    int[] TrustedAffinity,
    long FallbackTimeoutUs,
    bool IfDeclared,
    bool Adaptive = true)
{
    public const int MaxTasks = 4096;
    public const int MinInline = 256;
    public const int MaxInline = 16 * 1024 * 1024;
    public const int MaxWorkers = 512;

    /// <summary>The longest finite fallback timeout: one minute.</summary>
    public const long MaxFallbackTimeoutUs = 60_000_000;

    public int TaskSize => PoolLayout.TaskSize(InlineCapacity);

    public long PoolSize => PoolLayout.PoolSize(Tasks, InlineCapacity);

    public string ToArgument() => string.Join(
        ',',
        Tasks.ToString(CultureInfo.InvariantCulture),
        InlineCapacity.ToString(CultureInfo.InvariantCulture),
        TrustedWorkers.ToString(CultureInfo.InvariantCulture),
        UntrustedWorkers.ToString(CultureInfo.InvariantCulture),
        RetriesBeforeFallback.ToString(CultureInfo.InvariantCulture),
        RetriesBeforeSleep.ToString(CultureInfo.InvariantCulture),
        Busy ? "1" : "0",
        Rollback ? "1" : "0",
        string.Join('+', TrustedAffinity.Select(c => c.ToString(CultureInfo.InvariantCulture))),
        FallbackTimeoutUs < 0 ? "-" : FallbackTimeoutUs.ToString(CultureInfo.InvariantCulture),
        IfDeclared ? "1" : "0",
        Adaptive ? "1" : "0");

    /// <exception cref="ArgumentException">The argument is malformed or a value is out of range.</exception>
    public static SwitchlessConfig Parse(string argument)
    {
        string[] parts = argument.Split(',');
        if (parts.Length != 12)
        {
            throw new ArgumentException("--switchless needs 12 comma-separated values.");
        }

        int[] cores = parts[8].Length == 0 ? [] : [.. parts[8].Split('+').Select(Int)];
        long timeout = parts[9] == "-" ? -1 : long.Parse(parts[9], NumberStyles.None, CultureInfo.InvariantCulture);
        var config = new SwitchlessConfig(
            Int(parts[0]), Int(parts[1]), Int(parts[2]), Int(parts[3]), Int(parts[4]), Int(parts[5]), Flag(parts[6]), Flag(parts[7]), cores, timeout, Flag(parts[10]), Flag(parts[11]));
        config.Check();
        return config;
    }

    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Check()
    {
        if (Tasks is < 1 or > MaxTasks || InlineCapacity is < MinInline or > MaxInline || InlineCapacity % 8 != 0
            || TrustedWorkers is < 1 or > MaxWorkers || UntrustedWorkers is < 1 or > MaxWorkers
            || RetriesBeforeFallback < 0 || RetriesBeforeSleep < 0 || TrustedAffinity.Any(c => c is < 0 or >= 1024)
            || FallbackTimeoutUs < -1 || FallbackTimeoutUs > MaxFallbackTimeoutUs
            || PoolSize > 1L << 30)
        {
            throw new ArgumentException("--switchless has a value out of range.");
        }
    }

    private static int Int(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);

    private static bool Flag(string text) => text switch
    {
        "0" => false,
        "1" => true,
        _ => throw new ArgumentException("--switchless flags are 0 or 1."),
    };
}
