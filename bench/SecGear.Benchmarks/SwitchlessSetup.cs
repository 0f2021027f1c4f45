using SecGear.Abi;
using SecGear.Host;
using SecGear.Tests.TestEnclave;
using SecGear.Tests.TestEnclave.Switchless;

namespace SecGear.Benchmarks;

/// <summary>
/// A simulation enclave of the fixture image with switchless on, or off (null options: the host opts out, since the
/// fixture's contract would otherwise get switchless calls by default), bound to the switchless test contract and the
/// plain test contract, for the switchless benchmarks and the quick summary.
/// </summary>
internal sealed class SwitchlessSetup : IDisposable
{
    private static readonly Lazy<string> Image = new(BenchmarkImage.Build);

    public SwitchlessSetup(SwitchlessOptions? switchless)
    {
        var options = new EnclaveOptions { ThreadWaitTimeout = TimeSpan.FromSeconds(30) };
        options.Features.Add(switchless ?? new SwitchlessOptions { Enabled = false });

        Enclave = Enclave.Create(Image.Value, EnclaveType.Simulation, EnclaveFlags.None, options);
        Channel = Enclave.Bind(SwitchlessTestContract.Descriptor, new SwitchlessTestOcallHandler(new EmptyOcalls()));
        Plain = Enclave.Bind(TestEnclaveContract.Descriptor, null);
    }

    public Enclave Enclave { get; }

    /// <summary>The switchless test contract.</summary>
    public IEnclaveChannel Channel { get; }

    /// <summary>The plain test contract (its <c>empty</c> ECALL takes and returns nothing).</summary>
    public IEnclaveChannel Plain { get; }

    public static byte[] OcallLoopRequest(int count, bool switchless)
    {
        var request = new WireBuffer(5);
        request.WriteInt32(count);
        request.WriteBoolean(switchless);
        return request.WrittenSpan.ToArray();
    }

    /// <summary>A <c>sum_bytes</c> request as the generated proxy writes it: the bytes, then <c>len</c> (size_t).</summary>
    public static byte[] BytesRequest(int size)
    {
        byte[] data = new byte[size];
        Random.Shared.NextBytes(data);
        var request = new WireBuffer(size + 12);
        request.WriteBytes(data);
        request.WriteUInt64((ulong)size);
        return request.WrittenSpan.ToArray();
    }

    public static byte[] SleepRequest(int milliseconds)
    {
        var request = new WireBuffer(4);
        request.WriteInt32(milliseconds);
        return request.WrittenSpan.ToArray();
    }

    public static byte[] SharedRequest(nint token, int size)
    {
        var request = new WireBuffer(16);
        request.WriteInt64(token);
        request.WriteInt32(0);
        request.WriteInt32(size);
        return request.WrittenSpan.ToArray();
    }

    public void Dispose() => Enclave.Dispose();

    /// <summary>Answers the switchless contract's OCALLs: <c>sl_host_empty</c> does nothing; the benchmarks make no other.</summary>
    private sealed class EmptyOcalls : ISwitchlessTestOcalls
    {
        public int SlHostEcho(ReadOnlySpan<byte> data, Span<byte> result) =>
            throw new CallNotAllowedException("The benchmark answers only sl_host_empty, not sl_host_echo.");

        public void SlHostEmpty()
        {
        }
    }
}
