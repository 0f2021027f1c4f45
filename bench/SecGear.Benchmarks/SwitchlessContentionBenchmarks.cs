using BenchmarkDotNet.Attributes;
using SecGear.Host;

namespace SecGear.Benchmarks;

/// <summary>
/// "Never slower than a regular call": throughput of 1, 2, 4, 8 and 16 callers making empty switchless calls (sync
/// ECALLs, OCALLs 64 per ECALL, async ECALLs 16 in flight per caller) against the same calls made regularly on an
/// enclave that opted out, with the machine as it is (Idle) and with one busy thread per CPU for the whole case
/// (Busy). Times are per call over all callers; the ratio column is switchless/regular time (target: at most 1/0.95).
/// </summary>
[Config(typeof(InProcessConfig))]
public class SwitchlessContentionBenchmarks
{
    private const int CallsPerInvoke = 4096;
    private SwitchlessSetup? _regular;
    private SwitchlessSetup? _switchless;
    private SwitchlessLoad? _load;
    private Func<int>[] _regularOps = [];
    private Func<int>[] _switchlessOps = [];

    /// <summary>Whether every CPU is kept busy by a spinning thread during the case.</summary>
    public enum MachineLoad
    {
        /// <summary>No load added.</summary>
        Idle,

        /// <summary>One busy thread per CPU.</summary>
        Busy,
    }

    [Params(1, 2, 4, 8, 16)]
    public int Callers { get; set; }

    [Params(MachineLoad.Idle, MachineLoad.Busy)]
    public MachineLoad Load { get; set; }

    [Params(SwitchlessCallKind.Ecall, SwitchlessCallKind.Ocall, SwitchlessCallKind.Async)]
    public SwitchlessCallKind Kind { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _regular = new SwitchlessSetup(null);
        _switchless = new SwitchlessSetup(new SwitchlessOptions());
        _regularOps = [.. Enumerable.Range(0, Callers).Select(_ => SwitchlessLoad.Operation(_regular, Kind, switchless: false))];
        _switchlessOps = [.. Enumerable.Range(0, Callers).Select(_ => SwitchlessLoad.Operation(_switchless, Kind, switchless: true))];
        _load = Load == MachineLoad.Busy ? new SwitchlessLoad(Environment.ProcessorCount) : null;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _load?.Dispose();
        _regular?.Dispose();
        _switchless?.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = CallsPerInvoke, Description = "regular")]
    public void Regular() => Run(_regularOps);

    [Benchmark(OperationsPerInvoke = CallsPerInvoke, Description = "switchless")]
    public void Switchless() => Run(_switchlessOps);

    private void Run(Func<int>[] ops) =>
        Parallel.For(0, Callers, new ParallelOptions { MaxDegreeOfParallelism = Callers }, i =>
        {
            for (int done = 0; done < CallsPerInvoke / Callers;)
            {
                done += ops[i]();
            }
        });
}
