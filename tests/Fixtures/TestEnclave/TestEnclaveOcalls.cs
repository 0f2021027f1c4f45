using SecGear.Abi;

namespace SecGear.Tests.TestEnclave;

/// <summary>Generated shape: the enclave's OCALL proxies over <see cref="IOcallChannel"/>.</summary>
public sealed class TestEnclaveOcalls(IOcallChannel channel)
{
    public int WhereAmI()
    {
        var response = new WireBuffer();
        channel.Call(TestContract.WhereAmI, [], response);
        var reader = new WireReader(response.WrittenSpan);
        int id = reader.ReadInt32();
        reader.EnsureEnd();
        return id;
    }

    public int CallBack(int x)
    {
        var request = new WireBuffer();
        request.WriteInt32(x);
        var response = new WireBuffer();
        channel.Call(TestContract.CallBack, request.WrittenSpan, response);
        var reader = new WireReader(response.WrittenSpan);
        int result = reader.ReadInt32();
        reader.EnsureEnd();
        return result;
    }

    public void CallBackRefused() => channel.Call(TestContract.CallBackRefused, [], new WireBuffer());

    public void HostThrows() => channel.Call(TestContract.HostThrows, [], new WireBuffer());

    public byte[] HostEcho(ReadOnlySpan<byte> data)
    {
        var request = new WireBuffer(data.Length + 4);
        request.WriteBytes(data);
        var response = new WireBuffer();
        channel.Call(TestContract.HostEcho, request.WrittenSpan, response);
        var reader = new WireReader(response.WrittenSpan);
        byte[] result = reader.ReadBytes().ToArray();
        reader.EnsureEnd();
        return result;
    }

    public void Block() => channel.Call(TestContract.Block, [], new WireBuffer());
}
