using System.Buffers;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using SecGear.Abi;
using SecGear.Benchmarks.Generated;

namespace SecGear.Benchmarks;

/// <summary>
/// What generated marshalling costs per call: the generated host proxy calls the generated enclave dispatcher
/// directly (no transport), against floors measured in the same run that do only the unavoidable work by hand
/// (the same WireBuffer/WireReader steps for the scalar call; the four buffer copies for the 4 KiB echo).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class GeneratedCallBenchmarks
{
    private readonly byte[] _input = new byte[4096];
    private readonly byte[] _output = new byte[4096];
    private readonly byte[] _scratch = new byte[4096];
    private BenchCallsProxy _proxy = null!;

    [GlobalSetup]
    public void Setup()
    {
        Random.Shared.NextBytes(_input);
        IEcallHandler dispatcher = new BenchCallsEcallFactory().Create(new Enclave());
        _proxy = new BenchCallsProxy(new DirectConnection(dispatcher), null);
    }

    /// <summary>Floor: serialise two ints, deserialise them, serialise the sum, deserialise it.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Add")]
    public int HandWrittenAdd()
    {
        WireBuffer request = WireBuffer.Rent();
        WireBuffer response = WireBuffer.Rent();
        request.WriteInt32(20);
        request.WriteInt32(22);
        var reader = new WireReader(request.WrittenSpan);
        int sum = reader.ReadInt32() + reader.ReadInt32();
        reader.EnsureEnd();
        response.WriteInt32(sum);
        var back = new WireReader(response.WrittenSpan);
        int result = back.ReadInt32();
        request.Return();
        response.Return();
        return result;
    }

    /// <summary>The generated proxy and dispatcher for <c>int ecall_add(int a, int b)</c>.</summary>
    [Benchmark]
    [BenchmarkCategory("Add")]
    public int GeneratedAdd() => _proxy.EcallAdd(20, 22);

    /// <summary>Floor: the four 4 KiB copies an in/out call must make (into the request, into private memory, into the response, into the caller's buffer).</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Echo4K")]
    public int HandWrittenEcho4K()
    {
        _input.AsSpan().CopyTo(_scratch);
        _scratch.AsSpan().CopyTo(_output);
        _output.AsSpan().CopyTo(_scratch);
        _scratch.AsSpan().CopyTo(_output);
        return _output[0];
    }

    /// <summary>The generated proxy and dispatcher for <c>ecall_echo([in, size=len] input, [out, size=len] output, len)</c>.</summary>
    [Benchmark]
    [BenchmarkCategory("Echo4K")]
    public int GeneratedEcho4K()
    {
        _proxy.EcallEcho(_input, _output, (nuint)_input.Length);
        return _output[0];
    }

    private sealed class Enclave : IBenchCallsEcalls
    {
        public int EcallAdd(int a, int b) => a + b;

        public void EcallEcho(ReadOnlySpan<byte> input, Span<byte> output, nuint len) => input.CopyTo(output);
    }

    /// <summary>Proxy straight into the dispatcher: isolates the generated code from any transport.</summary>
    private sealed class DirectConnection(IEcallHandler handler) : IEnclaveConnection, IEnclaveChannel
    {
        public ContractDescriptor Contract => handler.Contract;

        public IEnclaveChannel Bind(ContractDescriptor contract, IOcallHandler? ocalls) => this;

        public void Call(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response) => handler.Dispatch(functionId, request, response);

        public void CallSwitchless(int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response) => handler.Dispatch(functionId, request, response);

        public ValueTask CallSwitchlessAsync(int functionId, ReadOnlyMemory<byte> request, IBufferWriter<byte> response, CancellationToken cancellationToken = default)
        {
            handler.Dispatch(functionId, request.Span, response);
            return ValueTask.CompletedTask;
        }
    }
}
