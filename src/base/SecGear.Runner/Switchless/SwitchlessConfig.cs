using System.Globalization;

namespace SecGear.Switchless;

/// <summary>
/// The switchless settings both sides need (validated <c>SwitchlessOptions</c>), and their one-argument form on the
/// runner's command line: <c>tasks,inline,tworkers,uworkers,retriesBeforeFallback,retriesBeforeSleep,busy,rollback,cpu+cpu...</c>.
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
    int[] TrustedAffinity)
{
    public const int MaxTasks = 4096;
    public const int MinInline = 256;
    public const int MaxInline = 16 * 1024 * 1024;
    public const int MaxWorkers = 512;

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
        string.Join('+', TrustedAffinity.Select(c => c.ToString(CultureInfo.InvariantCulture))));

    /// <exception cref="ArgumentException">The argument is malformed or a value is out of range.</exception>
    public static SwitchlessConfig Parse(string argument)
    {
        string[] parts = argument.Split(',');
        if (parts.Length != 9)
        {
            throw new ArgumentException("--switchless needs 9 comma-separated values.");
        }

        int[] cores = parts[8].Length == 0 ? [] : [.. parts[8].Split('+').Select(Int)];
        var config = new SwitchlessConfig(
            Int(parts[0]), Int(parts[1]), Int(parts[2]), Int(parts[3]), Int(parts[4]), Int(parts[5]), Flag(parts[6]), Flag(parts[7]), cores);
        config.Check();
        return config;
    }

    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public void Check()
    {
        if (Tasks is < 1 or > MaxTasks || InlineCapacity is < MinInline or > MaxInline || InlineCapacity % 8 != 0
            || TrustedWorkers is < 1 or > MaxWorkers || UntrustedWorkers is < 1 or > MaxWorkers
            || RetriesBeforeFallback < 0 || RetriesBeforeSleep < 0 || TrustedAffinity.Any(c => c is < 0 or >= 1024)
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
