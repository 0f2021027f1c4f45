using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace SecGear.AttestationService;

/// <summary>
/// Seals a key-broker secret to the P-256 key an enclave bound into its evidence (ECIES from standard parts):
/// an ephemeral P-256 key agrees a secret with the recipient (ECDH), HKDF-SHA-256 turns it into an AES-256 key with
/// <c>info = "secgear-kbs v1" 0x00 | len u16be | ephemeral SPKI | len u16be | recipient SPKI | resource path</c>, and
/// AES-256-GCM encrypts with the resource path as associated data. Only the holder of the recipient's private key
/// (the attested enclave) can open it; a sealed secret moved to another path does not open.
/// </summary>
public static class ResourceEnvelope
{
    /// <summary>The algorithm name carried in <see cref="SealedResource.Algorithm"/>.</summary>
    public const string Algorithm = "ECDH-ES-P256+HKDF-SHA256+A256GCM";

    /// <summary>Largest secret sealed or opened (64 KiB).</summary>
    public const int MaxSecretLength = 64 * 1024;

    private const int NonceLength = 12;
    private const int TagLength = 16;
    private const int KeyLength = 32;

    private static ReadOnlySpan<byte> Label => "secgear-kbs v1\0"u8;

    /// <summary>Creates a fresh P-256 key pair for an enclave to bind into its evidence (its SPKI is the runtime data).</summary>
    public static ECDiffieHellman CreateRecipientKey() => ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>The runtime data to bind: the recipient key's SubjectPublicKeyInfo (DER).</summary>
    public static byte[] ExportRuntimeData(ECDiffieHellman recipient)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        return recipient.ExportSubjectPublicKeyInfo();
    }

    /// <summary>Seals <paramref name="secret"/> for the holder of <paramref name="recipientPublicKey"/> (SPKI DER of a P-256 key).</summary>
    /// <exception cref="CryptographicException">The recipient key is not a valid P-256 public key.</exception>
    /// <exception cref="ArgumentException">The secret is larger than <see cref="MaxSecretLength"/> or the path is empty.</exception>
    public static SealedResource Seal(ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> secret, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (secret.Length > MaxSecretLength)
        {
            throw new ArgumentException($"A resource is at most {MaxSecretLength} bytes.", nameof(secret));
        }

        using var recipient = ImportP256(recipientPublicKey);
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        byte[] ephemeralKey = ephemeral.ExportSubjectPublicKeyInfo();
        byte[] recipientKey = recipient.ExportSubjectPublicKeyInfo();
        byte[] shared = ephemeral.DeriveRawSecretAgreement(recipient.PublicKey);
        byte[] key = DeriveKey(shared, ephemeralKey, recipientKey, path);
        try
        {
            var nonce = RandomNumberGenerator.GetBytes(NonceLength);
            var ciphertext = new byte[secret.Length];
            var tag = new byte[TagLength];
            using var aes = new AesGcm(key, TagLength);
            aes.Encrypt(nonce, secret, ciphertext, tag, Encoding.UTF8.GetBytes(path));
            return new SealedResource(Algorithm, ephemeralKey, nonce, ciphertext, tag);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Opens a sealed secret with the recipient's private key; the path must be the one it was sealed for.</summary>
    /// <exception cref="CryptographicException">
    /// Wrong algorithm, malformed fields, a key not on P-256, the wrong recipient, another path, or any tampered byte.
    /// </exception>
    public static byte[] Open(ECDiffieHellman recipient, SealedResource sealedResource, string path)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        ArgumentNullException.ThrowIfNull(sealedResource);
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (sealedResource.Algorithm != Algorithm)
        {
            throw new CryptographicException($"Unsupported resource envelope algorithm; expected {Algorithm}.");
        }

        if (sealedResource.Nonce is not { Length: NonceLength } || sealedResource.Tag is not { Length: TagLength }
            || sealedResource.Ciphertext is null || sealedResource.Ciphertext.Length > MaxSecretLength
            || sealedResource.EphemeralKey is null)
        {
            throw new CryptographicException("Malformed resource envelope: nonce, tag or ciphertext has the wrong length.");
        }

        using var ephemeral = ImportP256(sealedResource.EphemeralKey);
        byte[] shared = recipient.DeriveRawSecretAgreement(ephemeral.PublicKey);
        byte[] key = DeriveKey(shared, ephemeral.ExportSubjectPublicKeyInfo(), recipient.ExportSubjectPublicKeyInfo(), path);
        try
        {
            var plaintext = new byte[sealedResource.Ciphertext.Length];
            using var aes = new AesGcm(key, TagLength);
            aes.Decrypt(sealedResource.Nonce, sealedResource.Ciphertext, sealedResource.Tag, plaintext, Encoding.UTF8.GetBytes(path));
            return plaintext;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(shared);
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Imports a canonical SPKI that must be a P-256 EC public key (the import itself rejects points off the curve).</summary>
    private static ECDiffieHellman ImportP256(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        var key = ECDiffieHellman.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out int read);
            if (read != subjectPublicKeyInfo.Length)
            {
                throw new CryptographicException("Trailing bytes after the SubjectPublicKeyInfo.");
            }

            var parameters = key.ExportParameters(false);
            if (parameters.Curve.Oid?.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                throw new CryptographicException("The key is not a P-256 key.");
            }

            // Only the canonical encoding (uncompressed point, DER) is accepted, so one key has one byte form in the KDF.
            if (!key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(subjectPublicKeyInfo))
            {
                throw new CryptographicException("The key's SubjectPublicKeyInfo is not in canonical form.");
            }

            return key;
        }
        catch (Exception e) when (e is not CryptographicException)
        {
            // A damaged SPKI can name a curve or encoding the platform does not support; to the caller it is just a bad key.
            key.Dispose();
            throw new CryptographicException("The key is not a valid P-256 SubjectPublicKeyInfo.", e);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    private static byte[] DeriveKey(byte[] shared, byte[] ephemeralKey, byte[] recipientKey, string path)
    {
        byte[] pathBytes = Encoding.UTF8.GetBytes(path);
        var info = new byte[Label.Length + 2 + ephemeralKey.Length + 2 + recipientKey.Length + pathBytes.Length];
        var span = info.AsSpan();
        Label.CopyTo(span);
        span = span[Label.Length..];
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)ephemeralKey.Length);
        ephemeralKey.CopyTo(span[2..]);
        span = span[(2 + ephemeralKey.Length)..];
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)recipientKey.Length);
        recipientKey.CopyTo(span[2..]);
        pathBytes.CopyTo(span[(2 + recipientKey.Length)..]);
        return HKDF.DeriveKey(HashAlgorithmName.SHA256, shared, KeyLength, salt: [], info: info);
    }
}
