using System.Security.Cryptography;
using System.Text;

namespace SecGear.EncryptedDb.Client;

/// <summary>
/// Wraps a column encryption key under a client master key for storage in the database's catalog:
/// AES-256-GCM, <c>nonce[12] | wrapped[32] | tag[16]</c>, associated data
/// <c>"secgear-encdb cek v1" | 0 | CEK name | 0 | CMK name</c> so a wrapped key cannot be renamed or moved to another
/// master key unnoticed.
/// </summary>
public static class ColumnKeyWrap
{
    /// <summary>The algorithm name recorded in the catalog.</summary>
    public const string Algorithm = "AES-256-GCM";

    /// <summary>Wraps <paramref name="cek"/>.</summary>
    public static byte[] Wrap(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> cek, string cekName, string cmkName)
    {
        byte[] wrapped = new byte[12 + cek.Length + 16];
        RandomNumberGenerator.Fill(wrapped.AsSpan(0, 12));
        using var gcm = new AesGcm(masterKey, 16);
        gcm.Encrypt(wrapped.AsSpan(0, 12), cek, wrapped.AsSpan(12, cek.Length), wrapped.AsSpan(12 + cek.Length), Aad(cekName, cmkName));
        return wrapped;
    }

    /// <summary>Unwraps a stored key; KeyUnavailable when it was altered, renamed or wrapped under another master key.</summary>
    public static byte[] Unwrap(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> wrapped, string cekName, string cmkName)
    {
        if (wrapped.Length != 12 + ColumnKey.KeyLength + 16)
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.KeyUnavailable, $"the wrapped column key '{cekName}' has {wrapped.Length} bytes");
        }

        byte[] cek = new byte[ColumnKey.KeyLength];
        try
        {
            using var gcm = new AesGcm(masterKey, 16);
            gcm.Decrypt(wrapped[..12], wrapped.Slice(12, cek.Length), wrapped[^16..], cek, Aad(cekName, cmkName));
        }
        catch (CryptographicException)
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.KeyUnavailable, $"the column key '{cekName}' does not unwrap with master key '{cmkName}' (altered, renamed, or another master key)");
        }

        return cek;
    }

    internal static byte[] Aad(string cekName, string cmkName) => Encoding.UTF8.GetBytes($"secgear-encdb cek v1\0{cekName}\0{cmkName}");
}
