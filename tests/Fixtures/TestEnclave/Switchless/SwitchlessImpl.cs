using SecGear.Trusted.Runtime;
using SecGear.Trusted.SharedMemory;

namespace SecGear.Tests.TestEnclave.Switchless;

/// <summary>The enclave's implementation of the switchless test contract (switchless_test.edl).</summary>
public sealed class SwitchlessImpl : ISwitchlessTestEcalls
{
    private readonly EnclaveContext _context;
    private readonly SwitchlessTestOcallProxy _host;

    // The same generated OCALL proxy over a channel that makes regular OCALLs: the tests compare both ways of making
    // the one OCALL, which EDL (one transition per function) cannot declare.
    private readonly SwitchlessTestOcallProxy _regularHost;

    public SwitchlessImpl(EnclaveContext context)
    {
        _context = context;
        _host = new SwitchlessTestOcallProxy(context.Ocalls);
        _regularHost = new SwitchlessTestOcallProxy(new RegularOcallChannel(context.Ocalls));
    }

    public void SlEcho(Span<byte> data)
    {
    }

    public long SumShared(nint token, int offset, int length)
    {
        using UntrustedBuffer buffer = _context.OpenSharedMemory(token);
        if (offset < 0 || length < 0 || (long)offset + length > buffer.Length)
        {
            throw new SharedMemoryException($"Range {offset}+{length} is outside the {buffer.Length}-byte buffer.");
        }

        // Each word is read once, in place: a checksum needs no validated copy.
        return Checksum.Of(buffer.Contents.Slice(offset, length));
    }

    public void FillShared(nint token, int offset, int length, byte value)
    {
        using UntrustedBuffer buffer = _context.OpenSharedMemory(token);
        byte[] fill = new byte[length];
        fill.AsSpan().Fill(value);
        buffer.Write(offset, fill);
    }

    public int EchoViaSwitchlessOcall(ReadOnlySpan<byte> data, Span<byte> result) => _host.SlHostEcho(data, result);

    public int EchoViaRegularOcall(ReadOnlySpan<byte> data, Span<byte> result) => _regularHost.SlHostEcho(data, result);

    public void SlSleep(int milliseconds) => Thread.Sleep(milliseconds);

    public void SlBytes(Span<byte> bytes)
    {
        for (int i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)i;
        }
    }

    public long SlIncrement(long value) => value + 1;

    public void OcallLoop(int count, bool switchless)
    {
        SwitchlessTestOcallProxy host = switchless ? _host : _regularHost;
        for (int i = 0; i < count; i++)
        {
            host.SlHostEmpty();
        }
    }

    public long SumBytes(ReadOnlySpan<byte> data) => Checksum.Of(data);
}
