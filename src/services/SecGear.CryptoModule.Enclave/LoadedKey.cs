namespace SecGear.CryptoModule.Enclave;

/// <summary>
/// A key opened from its blob, ready to use. Each operation the key's algorithm lacks is refused with
/// <see cref="EnclaveStatus.UnsupportedScheme"/>. Instances are shared by concurrent calls: implementations keep no
/// per-call state.
/// </summary>
internal abstract class LoadedKey
{
    public abstract KeySpec Spec { get; }

    public virtual byte[] Sign(Scheme scheme, bool prehashed, ReadOnlySpan<byte> data, ReadOnlySpan<byte> userId) => throw Unsupported("sign");

    public virtual bool Verify(Scheme scheme, bool prehashed, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, ReadOnlySpan<byte> userId) =>
        throw Unsupported("verify");

    /// <summary>Encrypts; returns the ciphertext and the IV used (empty when the scheme has none).</summary>
    public virtual (byte[] Ciphertext, byte[] Iv) Encrypt(Scheme scheme, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad) =>
        throw Unsupported("encrypt");

    public virtual byte[] Decrypt(Scheme scheme, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad) => throw Unsupported("decrypt");

    public virtual byte[] Mac(ReadOnlySpan<byte> data) => throw Unsupported("MAC");

    protected RefusalException Unsupported(string operation) =>
        new(EnclaveStatus.UnsupportedScheme, $"a {Spec} key cannot {operation}");

    protected RefusalException Unsupported(string operation, Scheme scheme) =>
        new(EnclaveStatus.UnsupportedScheme, $"a {Spec} key cannot {operation} with scheme {scheme}");
}
