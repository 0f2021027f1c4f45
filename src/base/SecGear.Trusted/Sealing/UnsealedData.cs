using System.Security.Cryptography;

namespace SecGear.Trusted.Sealing;

/// <summary>The result of <see cref="EnclaveSealer.Unseal"/>: the plaintext and the authenticated additional data.</summary>
public sealed class UnsealedData : IDisposable
{
    internal UnsealedData(byte[] plaintext, byte[] additionalData)
    {
        Plaintext = plaintext;
        AdditionalData = additionalData;
    }

    /// <summary>The decrypted data. Zeroed by <see cref="Dispose"/>.</summary>
    public byte[] Plaintext { get; }

    /// <summary>The additional data given to <see cref="EnclaveSealer.Seal"/> (authenticated, not encrypted).</summary>
    public byte[] AdditionalData { get; }

    /// <summary>Zeroes <see cref="Plaintext"/>.</summary>
    public void Dispose() => CryptographicOperations.ZeroMemory(Plaintext);
}
