using System.Security.Cryptography;

namespace SecGear.CryptoModule.Enclave;

/// <summary>
/// The store wrapping key: AES-256-GCM over every key's material, with the key's owner and attributes as additional
/// data (<see cref="EnclaveRequest.KeyBinding"/>). It exists in plaintext only here; the host keeps it sealed.
/// Blob layout: <c>nonce(12) ciphertext tag(16)</c>.
/// </summary>
internal sealed class StoreKey : IDisposable
{
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;
    private readonly Lazy<ECParameters> _importKey;

    public StoreKey(byte[] key)
    {
        if (key.Length != 32)
        {
            throw new RefusalException(EnclaveStatus.StoreKeyUnavailable, $"a store key of {key.Length} bytes (32 expected)");
        }

        _key = key;
        CheckValue = SHA256.HashData([.. "secgear-cm-kcv/1"u8, .. key])[..8];
        _importKey = new Lazy<ECParameters>(DeriveImportKey);
    }

    /// <summary>The import key's SubjectPublicKeyInfo (P-256): the same on every instance holding this store key.</summary>
    public byte[] ImportPublicKey
    {
        get
        {
            using var key = CreateImportKey();
            return key.ExportSubjectPublicKeyInfo();
        }
    }

    /// <summary>A fresh object of the import key (ECDH P-256), for one use.</summary>
    public ECDiffieHellman CreateImportKey() => ECDiffieHellman.Create(_importKey.Value);

    /// <summary>8 bytes that identify the key without revealing it (a truncated hash).</summary>
    public byte[] CheckValue { get; }

    public byte[] Wrap(ReadOnlySpan<byte> material, ReadOnlySpan<byte> binding)
    {
        var blob = new byte[NonceSize + material.Length + TagSize];
        var span = blob.AsSpan();
        RandomNumberGenerator.Fill(span[..NonceSize]);
        using var gcm = new AesGcm(_key, TagSize);
        gcm.Encrypt(span[..NonceSize], material, span.Slice(NonceSize, material.Length), span[^TagSize..], binding);
        return blob;
    }

    public byte[] Unwrap(ReadOnlySpan<byte> blob, ReadOnlySpan<byte> binding)
    {
        if (blob.Length < NonceSize + TagSize + 1)
        {
            throw new RefusalException(EnclaveStatus.KeyBlobInvalid, $"a key blob of {blob.Length} bytes is truncated");
        }

        var material = new byte[blob.Length - NonceSize - TagSize];
        try
        {
            using var gcm = new AesGcm(_key, TagSize);
            gcm.Decrypt(blob[..NonceSize], blob.Slice(NonceSize, material.Length), blob[^TagSize..], material, binding);
            return material;
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new RefusalException(EnclaveStatus.KeyBlobInvalid,
                "the key blob does not open under this store key for this tenant, key id, version, spec and usage");
        }
    }

    public void Dispose()
    {
        CryptographicOperations.ZeroMemory(_key);
        if (_importKey.IsValueCreated)
        {
            CryptographicOperations.ZeroMemory(_importKey.Value.D);
        }
    }

    /// <summary>
    /// The import key is derived, not stored: HKDF-SHA-256 of the store key gives the private scalar (retried with the
    /// next counter in the 2^-32 case that it is not in [1, n-1]); BouncyCastle computes the public point.
    /// </summary>
    private ECParameters DeriveImportKey()
    {
        var curve = Org.BouncyCastle.Crypto.EC.CustomNamedCurves.GetByName("secp256r1");
        for (byte counter = 0; ; counter++)
        {
            byte[] d = HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, 32, salt: [], info: [.. "secgear-cm-import-key/1"u8, counter]);
            var scalar = new Org.BouncyCastle.Math.BigInteger(1, d);
            if (scalar.SignValue == 0 || scalar.CompareTo(curve.N) >= 0)
            {
                CryptographicOperations.ZeroMemory(d);
                continue;
            }

            var q = curve.G.Multiply(scalar).Normalize();
            return new ECParameters
            {
                Curve = ECCurve.NamedCurves.nistP256,
                D = d,
                Q = new ECPoint { X = q.AffineXCoord.GetEncoded(), Y = q.AffineYCoord.GetEncoded() },
            };
        }
    }
}
