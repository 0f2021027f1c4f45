using System.Buffers.Binary;
using SecGear.CryptoModule;
using SecGear.CryptoModule.Client;

namespace SecGear.EncryptedDb.Client;

/// <summary>
/// Client master keys kept in the TEE crypto module (SecGear.CryptoModule): an AES-256 key with usage Encrypt that
/// never leaves the module. Column keys are wrapped and unwrapped by the module with AES-256-GCM, associated data
/// <c>"secgear-encdb cek v1" | 0 | CEK name | 0 | CMK name</c> (as <see cref="ColumnKeyWrap"/>); the catalog stores
/// <c>key version u32 | iv[12] | wrapped[32] | tag[16]</c>, so a wrapped key still unwraps after the module key rotates.
/// </summary>
public static class CryptoModuleMasterKeys
{
    /// <summary>The key store name recorded in the catalog; the key path is the module key id.</summary>
    public const string KeyStore = "crypto_module";

    private const int IvLength = 12;

    /// <summary>Makes sure module key <paramref name="keyId"/> exists as an AES-256 encryption key (creating it if absent).</summary>
    public static async Task EnsureKeyAsync(CryptoModuleClient module, string keyId, CancellationToken cancellationToken)
    {
        KeyInfo key;
        try
        {
            key = await module.GetKeyAsync(keyId, cancellationToken).ConfigureAwait(false);
        }
        catch (CryptoModuleException ex) when (ex.StatusCode == 404)
        {
            key = await Call(() => module.CreateKeyAsync(KeySpec.Aes256, KeyUsage.Encrypt, keyId, "secgear-encdb client master key", cancellationToken), keyId).ConfigureAwait(false);
        }
        catch (CryptoModuleException ex)
        {
            throw Unavailable(keyId, ex);
        }

        if (key.Spec != KeySpec.Aes256 || key.Usage != KeyUsage.Encrypt)
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.KeyUnavailable, $"crypto module key '{keyId}' is {key.Spec}/{key.Usage}; a client master key must be Aes256/Encrypt");
        }
    }

    /// <summary>Wraps a column key with the module key.</summary>
    public static async Task<byte[]> WrapAsync(CryptoModuleClient module, string keyId, byte[] cek, string cekName, string cmkName, CancellationToken cancellationToken)
    {
        EncryptResponse response = await Call(() => module.EncryptAsync(keyId, new EncryptRequest(cek, Scheme.Gcm, Aad: ColumnKeyWrap.Aad(cekName, cmkName)), cancellationToken), keyId).ConfigureAwait(false);
        if (response.Iv is not { Length: IvLength } || response.Ciphertext.Length != ColumnKey.KeyLength + 16)
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.Malformed, $"crypto module key '{keyId}' returned a wrapped key of an unexpected shape");
        }

        byte[] wrapped = new byte[4 + IvLength + response.Ciphertext.Length];
        BinaryPrimitives.WriteUInt32BigEndian(wrapped, response.Version);
        response.Iv.CopyTo(wrapped, 4);
        response.Ciphertext.CopyTo(wrapped, 4 + IvLength);
        return wrapped;
    }

    /// <summary>Unwraps a stored column key; KeyUnavailable when the module refuses (altered, renamed, other key).</summary>
    public static async Task<byte[]> UnwrapAsync(CryptoModuleClient module, string keyId, byte[] wrapped, string cekName, string cmkName, CancellationToken cancellationToken)
    {
        if (wrapped.Length != 4 + IvLength + ColumnKey.KeyLength + 16)
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.KeyUnavailable, $"the wrapped column key '{cekName}' has {wrapped.Length} bytes");
        }

        uint version = BinaryPrimitives.ReadUInt32BigEndian(wrapped);
        var request = new DecryptRequest(wrapped[(4 + IvLength)..], Scheme.Gcm, wrapped[4..(4 + IvLength)], ColumnKeyWrap.Aad(cekName, cmkName), version);
        DecryptResponse response = await Call(() => module.DecryptAsync(keyId, request, cancellationToken), keyId, cekName).ConfigureAwait(false);
        return response.Plaintext.Length == ColumnKey.KeyLength
            ? response.Plaintext
            : throw new EncryptedDbException(EncryptedDbFailureCode.KeyUnavailable, $"the column key '{cekName}' unwrapped to {response.Plaintext.Length} bytes");
    }

    private static async Task<T> Call<T>(Func<Task<T>> call, string keyId, string? cekName = null)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (CryptoModuleException ex)
        {
            throw Unavailable(keyId, ex, cekName);
        }
    }

    private static EncryptedDbException Unavailable(string keyId, CryptoModuleException ex, string? cekName = null) => new(
        EncryptedDbFailureCode.KeyUnavailable,
        cekName is null
            ? $"crypto module key '{keyId}' is not usable: {ex.Code}: {ex.Message}"
            : $"the column key '{cekName}' does not unwrap with crypto module key '{keyId}' (altered, renamed, or another master key): {ex.Code}: {ex.Message}",
        ex);
}
