using System.Text;
using SecGear.Trusted.Runtime;
using SecGear.Trusted.Sealing;

namespace SecGearApp.Enclave;

/// <summary>The enclave's implementation of the ECALLs declared in app.edl (exactly one public class implements them).</summary>
public sealed class AppEnclave : IAppEcalls
{
    private static readonly byte[] SealLabel = "SecGearApp"u8.ToArray();
    private readonly EnclaveContext _context;
    private readonly AppOcallProxy _host;

    /// <summary>The trusted runtime creates the enclave with its context (identity, OCALL channel, sealing, logging).</summary>
    public AppEnclave(EnclaveContext context)
    {
        _context = context;
        _host = new AppOcallProxy(context.Ocalls);
    }

    /// <inheritdoc />
    public int Greet(string? name, Span<byte> buf)
    {
        _host.LogLine($"enclave: greeting '{name}' from '{_context.Manifest.Name}'");
        byte[] greeting = Encoding.UTF8.GetBytes($"Hello, {name}! (from the enclave)");
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
        byte[] blob = _context.Sealer.Seal(secret, SealLabel, SealPolicy.Signer);
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
        if (!data.AdditionalData.AsSpan().SequenceEqual(SealLabel) || data.Plaintext.Length > secret.Length)
        {
            return -1;
        }

        data.Plaintext.CopyTo(secret);
        return data.Plaintext.Length;
    }
}
