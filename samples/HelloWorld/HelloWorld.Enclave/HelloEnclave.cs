using System.Text;
using Microsoft.Extensions.Logging;
using SecGear.Trusted.Runtime;
using SecGear.Trusted.Sealing;

namespace HelloWorld.Enclave;

/// <summary>The enclave's implementation of the ECALLs declared in hello.edl.</summary>
public sealed class HelloEnclave : IHelloEcalls
{
    private readonly EnclaveContext _context;
    private readonly HelloOcallProxy _host;

    /// <summary>The trusted runtime creates the enclave with its context (identity, OCALL channel, sealing, logging).</summary>
    public HelloEnclave(EnclaveContext context)
    {
        _context = context;
        _host = new HelloOcallProxy(context.Ocalls);
    }

    /// <inheritdoc />
    public int GetGreeting(Span<byte> buf)
    {
        _host.PrintMessage($"enclave: hello from inside '{_context.Manifest.Name}' (measurement {_context.Identity.MeasurementHex[..16]}...)");
        byte[] greeting = Encoding.UTF8.GetBytes("Hello, world! (from the enclave)");
        if (buf.Length < greeting.Length + 1)
        {
            return -1;
        }

        greeting.CopyTo(buf);
        buf[greeting.Length] = 0;
        return greeting.Length;
    }

    /// <inheritdoc />
    public int SealSecret(ReadOnlySpan<byte> secret, Span<byte> @sealed)
    {
        byte[] blob = _context.Sealer.Seal(secret, "HelloWorld"u8, SealPolicy.Signer);
        _context.Logger.LogInformation("Sealed {Length} bytes into a {BlobLength}-byte blob", secret.Length, blob.Length);
        if (blob.Length > @sealed.Length)
        {
            return -1;
        }

        blob.CopyTo(@sealed);
        return blob.Length;
    }

    /// <inheritdoc />
    public int UnsealSecret(ReadOnlySpan<byte> @sealed, Span<byte> secret)
    {
        using UnsealedData data = _context.Sealer.Unseal(@sealed);
        if (!data.AdditionalData.AsSpan().SequenceEqual("HelloWorld"u8) || data.Plaintext.Length > secret.Length)
        {
            return -1;
        }

        data.Plaintext.CopyTo(secret);
        return data.Plaintext.Length;
    }
}
