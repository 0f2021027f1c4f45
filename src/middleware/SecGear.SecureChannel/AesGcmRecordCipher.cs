using System.Security.Cryptography;

namespace SecGear.SecureChannel;

/// <summary>AES-256-GCM from the platform.</summary>
internal sealed class AesGcmRecordCipher : RecordCipher
{
    private readonly AesGcm _aead;

    public AesGcmRecordCipher(ReadOnlySpan<byte> key)
    {
        _aead = new AesGcm(key, Wire.TagLength);
    }

    public override void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> sealedOutput, ReadOnlySpan<byte> aad) =>
        _aead.Encrypt(nonce, plaintext, sealedOutput[..plaintext.Length], sealedOutput.Slice(plaintext.Length, Wire.TagLength), aad);

    public override bool Open(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> sealedInput, Span<byte> plaintext, ReadOnlySpan<byte> aad)
    {
        try
        {
            _aead.Decrypt(nonce, sealedInput[..^Wire.TagLength], sealedInput[^Wire.TagLength..], plaintext, aad);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            return false;
        }
    }

    public override void Dispose() => _aead.Dispose();
}
