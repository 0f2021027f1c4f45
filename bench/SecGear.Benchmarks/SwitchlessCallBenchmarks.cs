using BenchmarkDotNet.Attributes;
using SecGear.Abi;
using SecGear.Host;
using SecGear.Tests.TestEnclave;
using SecGear.Tests.TestEnclave.Switchless;

namespace SecGear.Benchmarks;

/// <summary>
/// Empty ECALL and OCALL round trips, regular against switchless (simulation engine, default Wakeup options), with
/// the floor measured in the same run: a native two-process shared-memory spin ping-pong (the baseline; target:
/// switchless within 3x of it, at most 1 us, and at least 10x faster than the regular call) and the futex ping-pong
/// that is the floor of a regular call. OCALLs are timed as 100 per ECALL.
/// </summary>
[Config(typeof(InProcessConfig))]
public class SwitchlessCallBenchmarks
{
    private const int OcallsPerEcall = 100;
    private readonly WireBuffer _response = new();
    private NativePingPong? _spin;
    private NativePingPong? _futex;
    private SwitchlessSetup? _regular;
    private SwitchlessSetup? _switchless;
    private byte[] _regularOcalls = [];
    private byte[] _switchlessOcalls = [];

    [GlobalSetup]
    public void Setup()
    {
        _spin = NativePingPong.Spin();
        _futex = NativePingPong.Futex();
        _regular = new SwitchlessSetup(null);
        _switchless = new SwitchlessSetup(new SwitchlessOptions());
        _regularOcalls = SwitchlessSetup.OcallLoopRequest(OcallsPerEcall, switchless: false);
        _switchlessOcalls = SwitchlessSetup.OcallLoopRequest(OcallsPerEcall, switchless: true);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _spin?.Dispose();
        _futex?.Dispose();
        _regular?.Dispose();
        _switchless?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "native C spin ping-pong (floor)")]
    public void NativeSpin() => _spin!.RoundTrip();

    [Benchmark(Description = "native C futex ping-pong")]
    public void NativeFutex() => _futex!.RoundTrip();

    [Benchmark(Description = "regular empty ECALL")]
    public void RegularEcall()
    {
        _regular!.Plain.Call(TestEnclaveContract.EcallIds.Empty, [], _response);
        _response.Clear();
    }

    [Benchmark(Description = "switchless empty ECALL")]
    public void SwitchlessEcall()
    {
        _switchless!.Plain.CallSwitchless(TestEnclaveContract.EcallIds.Empty, [], _response);
        _response.Clear();
    }

    [Benchmark(Description = "async switchless empty ECALL (awaited one by one)")]
    public async Task AsyncSwitchlessEcall()
    {
        await _switchless!.Plain.CallSwitchlessAsync(TestEnclaveContract.EcallIds.Empty, ReadOnlyMemory<byte>.Empty, _response);
        _response.Clear();
    }

    [Benchmark(OperationsPerInvoke = OcallsPerEcall, Description = "regular empty OCALL")]
    public void RegularOcall()
    {
        _regular!.Channel.Call(SwitchlessTestContract.EcallIds.OcallLoop, _regularOcalls, _response);
        _response.Clear();
    }

    [Benchmark(OperationsPerInvoke = OcallsPerEcall, Description = "switchless empty OCALL")]
    public void SwitchlessOcall()
    {
        _switchless!.Channel.Call(SwitchlessTestContract.EcallIds.OcallLoop, _switchlessOcalls, _response);
        _response.Clear();
    }
}
