using SecGear.Abi;
using SecGear.Tests.TestEnclave.Switchless;

namespace SecGear.Host.Tests.Switchless;

/// <summary>
/// The switchless test contract's generated proxy, with the convenience a user would add on top: calls that return a
/// byte array size (or over-size) the <c>[out]</c> buffer and cut it to the length the enclave reports. Every function
/// is transition_using_threads; a <c>switchless: false</c> call runs the same generated proxy over
/// <see cref="RegularChannel"/>, so the tests compare both transitions of one function without hand-written marshalling.
/// </summary>
public sealed class SwitchlessClient
{
    private readonly SwitchlessTestProxy _proxy;
    private readonly SwitchlessTestProxy _regular;

    public SwitchlessClient(IEnclaveConnection enclave, ISwitchlessTestOcalls? ocalls)
    {
        _proxy = new SwitchlessTestProxy(enclave, ocalls);
        _regular = new SwitchlessTestProxy(new RegularChannel.Connection(_proxy.Channel), ocalls: null);
    }

    /// <summary>The bound channel, for tests that send hand-made (or malformed) requests.</summary>
    public IEnclaveChannel Channel => _proxy.Channel;

    public byte[] Echo(ReadOnlySpan<byte> data, bool switchless = true)
    {
        byte[] copy = data.ToArray();
        Proxy(switchless).SlEcho(copy);
        return copy;
    }

    public async ValueTask<byte[]> EchoAsync(byte[] data)
    {
        byte[] copy = [.. data];
        await _proxy.SlEchoAsync(copy);
        return copy;
    }

    public long Increment(long value, bool switchless) => Proxy(switchless).SlIncrement(value);

    public long SumShared(nint token, int offset, int length) => _proxy.SumShared(token, offset, length);

    public void FillShared(nint token, int offset, int length, byte value) => _proxy.FillShared(token, offset, length, value);

    /// <summary>Echoes through a switchless OCALL; the result buffer holds the host's longest answer (a repeat).</summary>
    public byte[] EchoViaSwitchlessOcall(ReadOnlySpan<byte> data, bool switchless = true)
    {
        byte[] result = ResultBuffer(data.Length);
        return result[..Checked(Proxy(switchless).EchoViaSwitchlessOcall(data, result), "echo_via_switchless_ocall")];
    }

    public byte[] EchoViaRegularOcall(ReadOnlySpan<byte> data)
    {
        byte[] result = ResultBuffer(data.Length);
        return result[..Checked(_proxy.EchoViaRegularOcall(data, result), "echo_via_regular_ocall")];
    }

    public async ValueTask<byte[]> EchoViaRegularOcallAsync(byte[] data)
    {
        byte[] result = ResultBuffer(data.Length);
        return result[..Checked(await _proxy.EchoViaRegularOcallAsync(data, result), "echo_via_regular_ocall")];
    }

    public void Sleep(int milliseconds, bool switchless = true) => Proxy(switchless).SlSleep(milliseconds);

    public ValueTask SleepAsync(int milliseconds) => _proxy.SlSleepAsync(milliseconds);

    public byte[] BytesOf(int count)
    {
        byte[] bytes = new byte[count];
        _proxy.SlBytes(bytes);
        return bytes;
    }

    public async ValueTask<byte[]> BytesOfAsync(int count)
    {
        byte[] bytes = new byte[count];
        await _proxy.SlBytesAsync(bytes);
        return bytes;
    }

    private SwitchlessTestProxy Proxy(bool switchless) => switchless ? _proxy : _regular;

    private static byte[] ResultBuffer(int length) => new byte[length * SwitchlessOcalls.Times];

    private static int Checked(int length, string function) =>
        length >= 0 ? length : throw new InvalidOperationException($"{function}: the test's buffer is too small");
}
