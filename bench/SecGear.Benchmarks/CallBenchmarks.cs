using BenchmarkDotNet.Attributes;
using SecGear.Abi;
using SecGear.Host;
using SecGear.Tests.TestEnclave;

namespace SecGear.Benchmarks;

/// <summary>
/// Empty regular ECALL round trip: simulation engine (two processes, shared memory, futexes) against its floor, a
/// native C two-process futex ping-pong with the same protocol measured in the same run (the baseline; the Ratio
/// column is the target, within 2x), and the in-process engine (target under 1 µs).
/// </summary>
[Config(typeof(InProcessConfig))]
public class CallBenchmarks
{
    private readonly WireBuffer _response = new();
    private NativePingPong? _native;
    private Enclave? _simulation;
    private Enclave? _inProcess;
    private IEnclaveChannel? _simulationChannel;
    private IEnclaveChannel? _inProcessChannel;

    [GlobalSetup]
    public void Setup()
    {
        string image = BenchmarkImage.Build();
        _native = NativePingPong.Futex();
        _simulation = Enclave.Create(image, EnclaveType.Simulation);
        _inProcess = Enclave.Create(image, EnclaveType.InProcess);
        _simulationChannel = _simulation.Bind(TestEnclaveContract.Descriptor, null);
        _inProcessChannel = _inProcess.Bind(TestEnclaveContract.Descriptor, null);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _native?.Dispose();
        _simulation?.Dispose();
        _inProcess?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "native C futex ping-pong (floor)")]
    public void NativeFutexRoundTrip() => _native!.RoundTrip();

    [Benchmark(Description = "simulation empty ECALL")]
    public void SimulationEmptyEcall()
    {
        _simulationChannel!.Call(TestEnclaveContract.EcallIds.Empty, [], _response);
        _response.Clear();
    }

    [Benchmark(Description = "in-process empty ECALL")]
    public void InProcessEmptyEcall()
    {
        _inProcessChannel!.Call(TestEnclaveContract.EcallIds.Empty, [], _response);
        _response.Clear();
    }
}
