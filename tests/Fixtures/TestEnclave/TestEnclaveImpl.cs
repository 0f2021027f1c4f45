using System.Text;
using Microsoft.Extensions.Logging;
using SecGear.Trusted.Runtime;

namespace SecGear.Tests.TestEnclave;

/// <summary>The enclave's implementation of the test contract (test_enclave.edl).</summary>
public sealed class TestEnclaveImpl : ITestEnclaveEcalls
{
    private readonly EnclaveContext _context;
    private readonly TestEnclaveOcallProxy _host;

    public TestEnclaveImpl(EnclaveContext context)
    {
        _context = context;
        _host = new TestEnclaveOcallProxy(context.Ocalls);

        // Logged outside any ECALL: the simulation engine sends it on the runner's system channel.
        context.CreateLogger("TestEnclave.Startup").LogInformation("enclave started");
    }

    public void Empty()
    {
    }

    public void Echo(Span<byte> data)
    {
    }

    public int HostThreadViaOcall() => _host.WhereAmI();

    public int NestedEntry(int x) => _host.CallBack(x) + 1;

    public int PrivateInner(int x) => x * 2;

    public void RefusedNesting() => _host.CallBackRefused();

    public void ThrowEcall(string? message) => throw new InvalidOperationException(message);

    public int OcallThrows(bool catchIt, Span<byte> text)
    {
        if (!catchIt)
        {
            _host.HostThrows();
            return Write("not reached", text);
        }

        try
        {
            _host.HostThrows();
            return Write("no exception", text);
        }
        catch (OcallFailedException ex)
        {
            return Write($"{ex.OcallName}|{ex.RemoteType}|{ex.Message}", text);
        }
    }

    public void Hold() => _host.Block();

    public void Sleep(int milliseconds) => Thread.Sleep(milliseconds);

#pragma warning disable CA2254 // The test passes the text through unchanged on purpose.
    public void Log(int level, string? message) => _context.Logger.Log((LogLevel)level, message);
#pragma warning restore CA2254

    public int Identity(Span<byte> measurement) => Write(_context.Identity.Measurement, measurement);

    public int Seal(ReadOnlySpan<byte> data, Span<byte> blob) => Write(_context.Sealer.Seal(data), blob);

    public int Unseal(ReadOnlySpan<byte> blob, Span<byte> data)
    {
        using var unsealed = _context.Sealer.Unseal(blob);
        return Write(unsealed.Plaintext, data);
    }

    public void Random(Span<byte> bytes) => _context.Random.GetBytes(bytes);

    public void EchoViaHost(Span<byte> data) => _host.HostEcho(data);

    private static int Write(string text, Span<byte> destination) => Write(Encoding.UTF8.GetBytes(text), destination);

    private static int Write(ReadOnlySpan<byte> source, Span<byte> destination) =>
        source.TryCopyTo(destination) ? source.Length : -1;
}
