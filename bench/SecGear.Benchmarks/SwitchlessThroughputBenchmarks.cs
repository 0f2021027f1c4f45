using BenchmarkDotNet.Attributes;
using SecGear.Abi;
using SecGear.Host;
using SecGear.Tests.TestEnclave;

namespace SecGear.Benchmarks;

/// <summary>
/// Throughput of 1, 2, 4 and 8 concurrent callers making empty ECALLs, regular against switchless (one trusted
/// worker, Wakeup). Times are per call over all callers, so lower is more calls per second.
/// </summary>
[Config(typeof(InProcessConfig))]
public class SwitchlessThroughputBenchmarks
{
    private const int CallsPerInvoke = 4096;
    private SwitchlessSetup? _regular;
    private SwitchlessSetup? _switchless;

    [Params(1, 2, 4, 8)]
    public int Callers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _regular = new SwitchlessSetup(null);
        _switchless = new SwitchlessSetup(new SwitchlessOptions());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _regular?.Dispose();
        _switchless?.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = CallsPerInvoke, Description = "regular empty ECALLs")]
    public void Regular() => Run(_regular!.Plain, switchless: false);

    [Benchmark(OperationsPerInvoke = CallsPerInvoke, Description = "switchless empty ECALLs")]
    public void Switchless() => Run(_switchless!.Plain, switchless: true);

    private void Run(IEnclaveChannel channel, bool switchless) =>
        Parallel.For(0, Callers, new ParallelOptions { MaxDegreeOfParallelism = Callers }, _ =>
        {
            var response = new WireBuffer();
            for (int i = 0; i < CallsPerInvoke / Callers; i++)
            {
                if (switchless)
                {
                    channel.CallSwitchless(TestEnclaveContract.EcallIds.Empty, [], response);
                }
                else
                {
                    channel.Call(TestEnclaveContract.EcallIds.Empty, [], response);
                }

                response.Clear();
            }
        });
}
