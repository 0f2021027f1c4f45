using System.Security.Cryptography;
using System.Text.Json;
using SecGear.AttestationService;
using SecGear.Trusted.Platform;
using SecGear.Trusted.Runtime;
using SecGear.Trusted.Sealing;

namespace KeyBroker.Enclave;

/// <summary>
/// The trusted half of the key broker sample: holds a P-256 recipient key that never leaves the enclave, binds it and
/// the service's nonce into its evidence, opens the secret the service sealed to that key, and re-seals it to its own
/// measurement. Built twice: KeyBroker.Enclave, and KeyBroker.EnclaveModified (KEYBROKER_MODIFIED) which would leak the
/// secret to the host and so has another measurement, one the service must refuse.
/// </summary>
public sealed class KeyBrokerEnclave : IKeyBrokerEcalls, IDisposable
{
    /// <summary>Largest envelope JSON accepted from the host (a 64 KiB secret in base64 plus the key and fields).</summary>
    private const int MaxEnvelopeLength = 128 * 1024;

    private readonly EnclaveContext _context;
    private readonly KeyBrokerOcallProxy _host;
    private readonly IAttestingPlatform _platform;
    private ECDiffieHellman? _recipient;
    private byte[]? _runtimeData;

    /// <summary>The trusted runtime creates the enclave with its context.</summary>
    public KeyBrokerEnclave(EnclaveContext context)
    {
        _context = context;
        _host = new KeyBrokerOcallProxy(context.Ocalls);
        _platform = context.Platform as IAttestingPlatform
            ?? throw new PlatformNotSupportedException("This platform cannot produce attestation evidence.");
    }

    /// <inheritdoc />
    public int KbCreateKey(Span<byte> spki)
    {
        _recipient?.Dispose();
        _recipient = ResourceEnvelope.CreateRecipientKey();
        _runtimeData = ResourceEnvelope.ExportRuntimeData(_recipient);
        return Write(_runtimeData, spki);
    }

    /// <inheritdoc />
    public int KbGetEvidence(ReadOnlySpan<byte> nonce, Span<byte> evidence)
    {
        if (_runtimeData is null)
        {
            return Fail("kb_get_evidence before kb_create_key");
        }

        if (nonce.Length is 0 or > 256)
        {
            return Fail($"a nonce of {nonce.Length} bytes (1-256 expected)");
        }

        return Write(_platform.GetEvidence(ReportDataBinding.Compute(nonce, _runtimeData)), evidence);
    }

    /// <inheritdoc />
    public int KbInstallSecret(string? path, ReadOnlySpan<byte> envelope, Span<byte> @sealed)
    {
        if (_recipient is null || path is null)
        {
            return Fail("kb_install_secret needs a recipient key (kb_create_key) and a resource path");
        }

        if (envelope.Length > MaxEnvelopeLength)
        {
            return Fail($"an envelope of {envelope.Length} bytes (at most {MaxEnvelopeLength})");
        }

        byte[] secret;
        try
        {
            var resource = JsonSerializer.Deserialize<SealedResource>(envelope, AttestationServiceJson.Options)
                ?? throw new CryptographicException("The envelope is JSON null.");
            secret = ResourceEnvelope.Open(_recipient, resource, path);
        }
        catch (Exception ex) when (ex is JsonException or CryptographicException or ArgumentException)
        {
            return Fail($"the envelope does not open: {ex.Message}");
        }

        try
        {
#if KEYBROKER_MODIFIED
            // The modification the measurement exposes: this build would hand the secret to the untrusted host.
            _host.PrintMessage($"enclave (modified): the secret is {Convert.ToHexStringLower(secret)}");
#endif
            // Sealed to the measurement: only this exact enclave build on this platform can unseal it.
            byte[] blob = _context.Sealer.Seal(secret, System.Text.Encoding.UTF8.GetBytes(path), SealPolicy.Enclave);
            _host.PrintMessage($"enclave: opened {path} ({secret.Length} bytes) and sealed it to measurement {_context.Identity.MeasurementHex[..16]}...");
            return Write(blob, @sealed);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
            // One key, one secret: the recipient key is dropped once used.
            _recipient.Dispose();
            _recipient = null;
            _runtimeData = null;
        }
    }

    /// <inheritdoc />
    public int KbCheckSecret(ReadOnlySpan<byte> @sealed, Span<byte> kcv)
    {
        if (!_context.Sealer.TryUnseal(@sealed, out var data))
        {
            return Fail("the sealed secret does not unseal in this enclave");
        }

        using (data)
        {
            return Write(KeyCheckValue.Compute(data.Plaintext), kcv) < 0 ? -1 : 0;
        }
    }

    /// <summary>Drops the recipient key.</summary>
    public void Dispose() => _recipient?.Dispose();

    private static int Write(ReadOnlySpan<byte> value, Span<byte> destination)
    {
        if (value.Length > destination.Length)
        {
            return -1;
        }

        value.CopyTo(destination);
        return value.Length;
    }

    private int Fail(string reason)
    {
        _host.PrintMessage($"enclave: refused: {reason}");
        return -1;
    }
}
