using System.Globalization;
using SecGear.Host;

namespace SecGear.Benchmarks;

/// <summary>
/// Per row of <c>--quick</c>: how many calls of the measured enclave went through the pool and how many were made
/// regularly, by reason (the difference of <see cref="Enclave.SwitchlessStatistics"/> over the row), so a row's
/// figure can be read against the path its calls actually took. Warm-up calls of the row are included.
/// </summary>
internal sealed class PathTally(Enclave enclave)
{
    private readonly List<string> _lines = [];
    private SwitchlessStatistics _last = enclave.SwitchlessStatistics;

    /// <summary>Starts the next row here (what happened since the last row is not counted to any row).</summary>
    public void Skip() => _last = enclave.SwitchlessStatistics;

    /// <summary>Counts what happened since the last row (or <see cref="Skip"/>) to the row <paramref name="name"/>.</summary>
    public void Row(string name)
    {
        SwitchlessStatistics now = enclave.SwitchlessStatistics, was = _last;
        _last = now;
        var reasons = new List<string>();
        void Reason(string label, long delta)
        {
            if (delta != 0)
            {
                reasons.Add(string.Create(CultureInfo.InvariantCulture, $"{label} {delta}"));
            }
        }

        Reason("slower", now.FallbacksSlower - was.FallbacksSlower);
        Reason("sampling", now.FallbacksSampling - was.FallbacksSampling);
        Reason("backoff", now.FallbacksBackoff - was.FallbacksBackoff);
        Reason("not accepted", now.FallbacksNotAccepted - was.FallbacksNotAccepted);
        Reason("pool full", now.FallbacksPoolFull - was.FallbacksPoolFull);
        Reason("too large", now.FallbacksTooLarge - was.FallbacksTooLarge);
        Reason("nested", now.FallbacksNested - was.FallbacksNested);
        _lines.Add(string.Create(
            CultureInfo.InvariantCulture,
            $"  {name,-44} ECALL pool {now.EcallsProcessed - was.EcallsProcessed,9} regular {now.Fallbacks - was.Fallbacks,8}; OCALL pool {now.OcallsProcessed - was.OcallsProcessed,9} regular {now.OcallFallbacks - was.OcallFallbacks,8}; trusted sleeps {now.TrustedWorkerSleeps - was.TrustedWorkerSleeps,6}{(reasons.Count == 0 ? "" : "; regular by reason: " + string.Join(", ", reasons))}"));
    }

    /// <summary>Adds the rows another enclave's tally counted.</summary>
    public void Add(PathTally other) => _lines.AddRange(other._lines);

    /// <summary>Prints the rows counted since the last print.</summary>
    public void Print()
    {
        Console.WriteLine("calls by path per row (switchless counters over the row; regular = made as regular calls):");
        foreach (string line in _lines)
        {
            Console.WriteLine(line);
        }

        _lines.Clear();
    }
}
