namespace SecGear.SecureChannel;

/// <summary>
/// The AEAD of a suite under one key: 12-byte nonce, 16-byte tag. Output of <see cref="Seal"/> and input of
/// <see cref="Open"/> is the ciphertext followed by the tag, as in a record body.
/// </summary>
internal abstract class RecordCipher : IDisposable
{
    public const int NonceLength = 12;

    /// <summary>Encrypts <paramref name="plaintext"/> into <paramref name="sealedOutput"/> (plaintext length + tag).</summary>
    public abstract void Seal(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> plaintext, Span<byte> sealedOutput, ReadOnlySpan<byte> aad);

    /// <summary>
    /// Decrypts and authenticates <paramref name="sealedInput"/> (ciphertext then tag) into <paramref name="plaintext"/>.
    /// Returns false, with <paramref name="plaintext"/> zeroed, when the tag does not match.
    /// </summary>
    public abstract bool Open(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> sealedInput, Span<byte> plaintext, ReadOnlySpan<byte> aad);

    public abstract void Dispose();
}
