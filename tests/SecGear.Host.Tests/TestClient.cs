using SecGear.Abi;
using SecGear.Tests.TestEnclave;

namespace SecGear.Host.Tests;

/// <summary>
/// The test contract's generated proxy, with the convenience a user would add on top: calls that return a byte array
/// size (or over-size) the <c>[out]</c> buffer and cut it to the length the enclave reports.
/// </summary>
public sealed class TestClient(IEnclaveConnection enclave, ITestEnclaveOcalls? ocalls)
{
    private readonly TestEnclaveProxy _proxy = new(enclave, ocalls);

    public IEnclaveChannel Channel => _proxy.Channel;

    public void Empty() => _proxy.Empty();

    public byte[] Echo(ReadOnlySpan<byte> data)
    {
        byte[] copy = data.ToArray();
        _proxy.Echo(copy);
        return copy;
    }

    public int HostThreadViaOcall() => _proxy.HostThreadViaOcall();

    public int NestedEntry(int x) => _proxy.NestedEntry(x);

    /// <summary>The private ECALL, which the enclave runs only while an OCALL that allows it is in progress.</summary>
    public int PrivateInner(int x) => _proxy.PrivateInner(x);

    public void RefusedNesting() => _proxy.RefusedNesting();

    public void Throw(string message) => _proxy.ThrowEcall(message);

    public string OcallThrows(bool catchIt)
    {
        byte[] text = new byte[4096];
        return System.Text.Encoding.UTF8.GetString(text, 0, Checked(_proxy.OcallThrows(catchIt, text), "ocall_throws"));
    }

    public void Hold() => _proxy.Hold();

    public void Sleep(int milliseconds) => _proxy.Sleep(milliseconds);

    public void Log(int level, string message) => _proxy.Log(level, message);

    public byte[] Identity()
    {
        byte[] measurement = new byte[64];
        return measurement[..Checked(_proxy.Identity(measurement), "identity")];
    }

    public byte[] Seal(ReadOnlySpan<byte> data)
    {
        byte[] blob = new byte[data.Length + 4096];
        return blob[..Checked(_proxy.Seal(data, blob), "seal")];
    }

    public byte[] Unseal(ReadOnlySpan<byte> blob)
    {
        byte[] data = new byte[blob.Length];
        return data[..Checked(_proxy.Unseal(blob, data), "unseal")];
    }

    public byte[] EchoViaHost(ReadOnlySpan<byte> data)
    {
        byte[] copy = data.ToArray();
        _proxy.EchoViaHost(copy);
        return copy;
    }

    public byte[] Random(int count)
    {
        byte[] bytes = new byte[count];
        _proxy.Random(bytes);
        return bytes;
    }

    private static int Checked(int length, string function) =>
        length >= 0 ? length : throw new InvalidOperationException($"{function}: the test's buffer is too small");
}
