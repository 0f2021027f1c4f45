using Microsoft.Extensions.Logging;
using SecGear.Trusted.Runtime;

namespace SecGear.Tests.TestEnclave;

/// <summary>The enclave's implementation of the test contract.</summary>
public sealed class TestEnclaveImpl : ITestEnclaveEcalls
{
    private readonly EnclaveContext _context;
    private readonly TestEnclaveOcalls _host;

    public TestEnclaveImpl(EnclaveContext context)
    {
        _context = context;
        _host = new TestEnclaveOcalls(context.Ocalls);

        // Logged outside any ECALL: the simulation engine sends it on the runner's system channel.
        context.CreateLogger("TestEnclave.Startup").LogInformation("enclave started");
    }

    public void Empty()
    {
    }

    public byte[] Echo(ReadOnlySpan<byte> data) => data.ToArray();

    public int HostThreadViaOcall() => _host.WhereAmI();

    public int NestedEntry(int x) => _host.CallBack(x) + 1;

    public int PrivateInner(int x) => x * 2;

    public void RefusedNesting() => _host.CallBackRefused();

    public void Throw(string message) => throw new InvalidOperationException(message);

    public string OcallThrows(bool catchIt)
    {
        if (!catchIt)
        {
            _host.HostThrows();
            return "not reached";
        }

        try
        {
            _host.HostThrows();
            return "no exception";
        }
        catch (OcallFailedException ex)
        {
            return $"{ex.OcallName}|{ex.RemoteType}|{ex.Message}";
        }
    }

    public void Hold() => _host.Block();

    public void Sleep(int milliseconds) => Thread.Sleep(milliseconds);

#pragma warning disable CA2254 // The test passes the text through unchanged on purpose.
    public void Log(int level, string message) => _context.Logger.Log((LogLevel)level, message);
#pragma warning restore CA2254

    public byte[] Identity() => _context.Identity.Measurement;

    public byte[] Seal(ReadOnlySpan<byte> data) => _context.Sealer.Seal(data);

    public byte[] Unseal(ReadOnlySpan<byte> blob)
    {
        using var data = _context.Sealer.Unseal(blob);
        return (byte[])data.Plaintext.Clone();
    }

    public byte[] EchoViaHost(ReadOnlySpan<byte> data) => _host.HostEcho(data);

    public byte[] Random(int count)
    {
        byte[] bytes = new byte[count];
        _context.Random.GetBytes(bytes);
        return bytes;
    }
}
