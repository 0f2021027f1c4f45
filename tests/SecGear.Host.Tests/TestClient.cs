using SecGear.Abi;
using SecGear.Tests.TestEnclave;

namespace SecGear.Host.Tests;

/// <summary>Host-side proxy of the test contract, in the shape the generator emits.</summary>
public sealed class TestClient(IEnclaveChannel channel)
{
    public IEnclaveChannel Channel => channel;

    public void Empty() => channel.Call(TestContract.Empty, [], new WireBuffer());

    public byte[] Echo(ReadOnlySpan<byte> data)
    {
        var request = new WireBuffer(data.Length + 4);
        request.WriteBytes(data);
        var response = new WireBuffer();
        channel.Call(TestContract.Echo, request.WrittenSpan, response);
        var reader = new WireReader(response.WrittenSpan);
        byte[] result = reader.ReadBytes().ToArray();
        reader.EnsureEnd();
        return result;
    }

    public int HostThreadViaOcall() => ReadInt(Call(TestContract.HostThreadViaOcall, []));

    public int NestedEntry(int x) => ReadInt(Call(TestContract.NestedEntry, Int(x)));

    public int PrivateInner(int x) => ReadInt(Call(TestContract.PrivateInner, Int(x)));

    public void RefusedNesting() => Call(TestContract.RefusedNesting, []);

    public void Throw(string message)
    {
        var request = new WireBuffer();
        request.WriteUtf8String(message);
        Call(TestContract.Throw, request.WrittenSpan);
    }

    public string OcallThrows(bool catchIt)
    {
        var request = new WireBuffer();
        request.WriteBoolean(catchIt);
        var reader = new WireReader(Call(TestContract.OcallThrows, request.WrittenSpan));
        return reader.ReadUtf8String() ?? "";
    }

    public void Hold() => Call(TestContract.Hold, []);

    public void Sleep(int milliseconds) => Call(TestContract.Sleep, Int(milliseconds));

    public void Log(int level, string message)
    {
        var request = new WireBuffer();
        request.WriteInt32(level);
        request.WriteUtf8String(message);
        Call(TestContract.Log, request.WrittenSpan);
    }

    public byte[] Identity()
    {
        var reader = new WireReader(Call(TestContract.Identity, []));
        return reader.ReadBytes().ToArray();
    }

    public byte[] Seal(ReadOnlySpan<byte> data) => BytesCall(TestContract.Seal, data);

    public byte[] Unseal(ReadOnlySpan<byte> blob) => BytesCall(TestContract.Unseal, blob);

    public byte[] EchoViaHost(ReadOnlySpan<byte> data) => BytesCall(TestContract.EchoViaHost, data);

    public byte[] Random(int count)
    {
        var reader = new WireReader(Call(TestContract.Random, Int(count)));
        return reader.ReadBytes().ToArray();
    }

    private byte[] BytesCall(int id, ReadOnlySpan<byte> data)
    {
        var request = new WireBuffer();
        request.WriteBytes(data);
        var reader = new WireReader(Call(id, request.WrittenSpan));
        byte[] result = reader.ReadBytes().ToArray();
        reader.EnsureEnd();
        return result;
    }

    private byte[] Call(int id, ReadOnlySpan<byte> request)
    {
        var response = new WireBuffer();
        channel.Call(id, request, response);
        return response.WrittenSpan.ToArray();
    }

    private static byte[] Int(int x)
    {
        var b = new WireBuffer();
        b.WriteInt32(x);
        return b.WrittenSpan.ToArray();
    }

    private static int ReadInt(byte[] bytes)
    {
        var reader = new WireReader(bytes);
        int v = reader.ReadInt32();
        reader.EnsureEnd();
        return v;
    }
}
