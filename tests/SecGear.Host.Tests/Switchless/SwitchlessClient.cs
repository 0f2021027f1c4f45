using System.Buffers;
using SecGear.Abi;
using SecGear.Tests.TestEnclave.Switchless;

namespace SecGear.Host.Tests.Switchless;

/// <summary>Host-side proxy of the switchless test contract, in the shape the generator emits for transition_using_threads.</summary>
public sealed class SwitchlessClient(IEnclaveChannel channel)
{
    public byte[] Echo(ReadOnlySpan<byte> data, bool switchless = true) => ReadBytes(Call(SwitchlessContract.Echo, Bytes(data), switchless));

    public async ValueTask<byte[]> EchoAsync(byte[] data)
    {
        var response = new WireBuffer();
        await channel.CallSwitchlessAsync(SwitchlessContract.Echo, Bytes(data), response);
        return ReadBytes(response.WrittenSpan.ToArray());
    }

    public long Increment(long value, bool switchless)
    {
        var request = new WireBuffer(8);
        request.WriteInt64(value);
        return ReadLong(Call(SwitchlessContract.Increment, request.WrittenSpan.ToArray(), switchless));
    }

    public long SumShared(nint token, int offset, int length)
    {
        var request = new WireBuffer(16);
        request.WriteInt64(token);
        request.WriteInt32(offset);
        request.WriteInt32(length);
        return ReadLong(Call(SwitchlessContract.SumShared, request.WrittenSpan.ToArray(), switchless: true));
    }

    public void FillShared(nint token, int offset, int length, byte value)
    {
        var request = new WireBuffer(17);
        request.WriteInt64(token);
        request.WriteInt32(offset);
        request.WriteInt32(length);
        request.WriteByte(value);
        Call(SwitchlessContract.FillShared, request.WrittenSpan.ToArray(), switchless: true);
    }

    public byte[] EchoViaSwitchlessOcall(ReadOnlySpan<byte> data, bool switchless = true) =>
        ReadBytes(Call(SwitchlessContract.EchoViaSwitchlessOcall, Bytes(data), switchless));

    public byte[] EchoViaRegularOcall(ReadOnlySpan<byte> data) =>
        ReadBytes(Call(SwitchlessContract.EchoViaRegularOcall, Bytes(data), switchless: true));

    public void Sleep(int milliseconds, bool switchless = true) => Call(SwitchlessContract.Sleep, Int(milliseconds), switchless);

    public ValueTask SleepAsync(int milliseconds) => channel.CallSwitchlessAsync(SwitchlessContract.Sleep, Int(milliseconds), new WireBuffer());

    public byte[] BytesOf(int count) => ReadBytes(Call(SwitchlessContract.Bytes, Int(count), switchless: true));

    public async ValueTask<byte[]> BytesOfAsync(int count)
    {
        var response = new WireBuffer();
        await channel.CallSwitchlessAsync(SwitchlessContract.Bytes, Int(count), response);
        return ReadBytes(response.WrittenSpan.ToArray());
    }

    private byte[] Call(int id, ReadOnlySpan<byte> request, bool switchless)
    {
        var response = new WireBuffer();
        if (switchless)
        {
            channel.CallSwitchless(id, request, response);
        }
        else
        {
            channel.Call(id, request, response);
        }

        return response.WrittenSpan.ToArray();
    }

    private static byte[] Bytes(ReadOnlySpan<byte> data)
    {
        var b = new WireBuffer(data.Length + 4);
        b.WriteBytes(data);
        return b.WrittenSpan.ToArray();
    }

    private static byte[] Int(int x)
    {
        var b = new WireBuffer(4);
        b.WriteInt32(x);
        return b.WrittenSpan.ToArray();
    }

    private static byte[] ReadBytes(byte[] response)
    {
        var reader = new WireReader(response);
        byte[] result = reader.ReadBytes().ToArray();
        reader.EnsureEnd();
        return result;
    }

    private static long ReadLong(byte[] response)
    {
        var reader = new WireReader(response);
        long v = reader.ReadInt64();
        reader.EnsureEnd();
        return v;
    }
}
