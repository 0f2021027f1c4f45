using SecGear.Abi;
using SecGear.Trusted.Runtime;
using SecGear.Trusted.SharedMemory;

namespace SecGear.Tests.TestEnclave.Switchless;

/// <summary>The enclave's implementation of the switchless test contract.</summary>
public sealed class SwitchlessImpl(EnclaveContext context) : ISwitchlessEcalls
{
    public byte[] Echo(ReadOnlySpan<byte> data) => data.ToArray();

    public long SumShared(nint token, int offset, int length)
    {
        using UntrustedBuffer buffer = context.OpenSharedMemory(token);
        if (offset < 0 || length < 0 || (long)offset + length > buffer.Length)
        {
            throw new SharedMemoryException($"Range {offset}+{length} is outside the {buffer.Length}-byte buffer.");
        }

        // Each word is read once, in place: a checksum needs no validated copy.
        return Checksum.Of(buffer.Contents.Slice(offset, length));
    }

    public void FillShared(nint token, int offset, int length, byte value)
    {
        using UntrustedBuffer buffer = context.OpenSharedMemory(token);
        byte[] fill = new byte[length];
        fill.AsSpan().Fill(value);
        buffer.Write(offset, fill);
    }

    public byte[] EchoViaSwitchlessOcall(ReadOnlySpan<byte> data) => HostEcho(data, switchless: true);

    public byte[] EchoViaRegularOcall(ReadOnlySpan<byte> data) => HostEcho(data, switchless: false);

    public void Sleep(int milliseconds) => Thread.Sleep(milliseconds);

    public byte[] Bytes(int count)
    {
        byte[] bytes = new byte[count];
        for (int i = 0; i < count; i++)
        {
            bytes[i] = (byte)i;
        }

        return bytes;
    }

    public long Increment(long value) => value + 1;

    public void OcallLoop(int count, bool switchless)
    {
        var response = new WireBuffer();
        for (int i = 0; i < count; i++)
        {
            if (switchless)
            {
                context.Ocalls.CallSwitchless(SwitchlessContract.HostEmpty, [], response);
            }
            else
            {
                context.Ocalls.Call(SwitchlessContract.HostEmpty, [], response);
            }

            response.Clear();
        }
    }

    public long SumBytes(ReadOnlySpan<byte> data) => Checksum.Of(data);

    private byte[] HostEcho(ReadOnlySpan<byte> data, bool switchless)
    {
        var request = new WireBuffer(data.Length + 4);
        request.WriteBytes(data);
        var response = new WireBuffer();
        if (switchless)
        {
            context.Ocalls.CallSwitchless(SwitchlessContract.HostEcho, request.WrittenSpan, response);
        }
        else
        {
            context.Ocalls.Call(SwitchlessContract.HostEcho, request.WrittenSpan, response);
        }

        var reader = new WireReader(response.WrittenSpan);
        byte[] result = reader.ReadBytes().ToArray();
        reader.EnsureEnd();
        return result;
    }
}
