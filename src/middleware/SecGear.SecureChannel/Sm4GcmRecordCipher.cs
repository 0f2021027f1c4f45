using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;

namespace SecGear.SecureChannel;

/// <summary>
/// SM4-GCM (GB/T 32907 block cipher in NIST SP 800-38D GCM, 128-bit key, as RFC 8998's TLS_SM4_GCM_SM3), from
/// BouncyCastle. The key schedule and GHASH tables are computed once per key; each record only sets its nonce.
/// </summary>
internal sealed class Sm4GcmRecordCipher : RecordCipher
{
    public const int KeyLength = 16;

    private readonly GcmBlockCipher _gcm = new(new SM4Engine());

    public Sm4GcmRecordCipher(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
        {
            throw new ArgumentException($"an SM4 key is {KeyLength} bytes", nameof(key));
        }

        // The first Init carries the key (decrypt mode, so this placeholder nonce is never encrypted under); every
        // Seal and Open then sets its own nonce.
        _gcm.Init(false, new ParametersWithIV(new KeyParameter(key), new byte[NonceLength]));
    }

    public override void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> sealedOutput, ReadOnlySpan<byte> aad)
    {
        // A null key keeps the expanded key; GcmBlockCipher itself refuses a nonce repeated under it.
        _gcm.Init(true, new ParametersWithIV(null, nonce));
        _gcm.ProcessAadBytes(aad);
        int written = _gcm.ProcessBytes(plaintext, sealedOutput);
        _gcm.DoFinal(sealedOutput[written..]);
    }

    public override bool Open(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> sealedInput, Span<byte> plaintext, ReadOnlySpan<byte> aad)
    {
        _gcm.Init(false, new ParametersWithIV(null, nonce));
        _gcm.ProcessAadBytes(aad);
        try
        {
            int written = _gcm.ProcessBytes(sealedInput, plaintext);
            _gcm.DoFinal(plaintext[written..]);
            return true;
        }
        catch (InvalidCipherTextException)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            return false;
        }
    }

    public override void Dispose() => _gcm.Reset();
}
