using BenchmarkDotNet.Attributes;
using SecGear.Abi;
using SecGear.Host;
using SecGear.Tests.TestEnclave.Switchless;

namespace SecGear.Benchmarks;

/// <summary>
/// Payload sweep 64 B .. 1 MiB: the enclave sums the bytes of a buffer copied in by a regular call (the baseline),
/// copied in by a switchless call (tasks sized for 1 MiB), or read in place from a host shared buffer (target: 1 MiB
/// at least 5x faster than copying it).
/// </summary>
[Config(typeof(InProcessConfig))]
public class SwitchlessPayloadBenchmarks
{
    private readonly WireBuffer _response = new();
    private SwitchlessSetup? _setup;
    private SharedMemory? _shared;
    private byte[] _request = [];
    private byte[] _sharedRequest = [];

    [Params(64, 4096, 65536, 1048576)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _setup = new SwitchlessSetup(new SwitchlessOptions { PoolSize = 4, MaxInlinePayload = (1 << 20) + 64 });
        _request = SwitchlessSetup.BytesRequest(Size);
        _shared = _setup.Enclave.AllocateSharedMemory(Size);
        Random.Shared.NextBytes(_shared.Span);
        _sharedRequest = SwitchlessSetup.SharedRequest(_shared.Token, Size);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _shared?.Dispose();
        _setup?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "regular call, copied")]
    public void Regular()
    {
        _setup!.Channel.Call(SwitchlessTestContract.EcallIds.SumBytes, _request, _response);
        _response.Clear();
    }

    [Benchmark(Description = "switchless call, copied")]
    public void Switchless()
    {
        _setup!.Channel.CallSwitchless(SwitchlessTestContract.EcallIds.SumBytes, _request, _response);
        _response.Clear();
    }

    [Benchmark(Description = "switchless call, shared buffer")]
    public void Shared()
    {
        _setup!.Channel.CallSwitchless(SwitchlessTestContract.EcallIds.SumShared, _sharedRequest, _response);
        _response.Clear();
    }
}
