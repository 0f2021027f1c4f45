using System.Security.Cryptography;
using System.Text;

namespace SecGear.AttestationService.Security;

/// <summary>
/// The service master key: AES-256-GCM over the secrets the database holds (token-signing keys, resource values), each
/// bound to its row by associated data, so a copied database alone reveals no secret and a value moved to another row
/// does not decrypt. Layout: version byte 1 | nonce (12) | ciphertext | tag (16).
/// </summary>
public sealed class MasterKey : IDisposable
{
    /// <summary>Key length in bytes.</summary>
    public const int KeyLength = 32;

    private const byte FormatVersion = 1;
    private const int NonceLength = 12;
    private const int TagLength = 16;

    private readonly AesGcm _aes;
    private readonly byte[] _sealingRoot;

    /// <summary>Wraps a 32-byte key (copied).</summary>
    public MasterKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
        {
            throw new ArgumentException($"The master key must be {KeyLength} bytes; got {key.Length}.", nameof(key));
        }

        _aes = new AesGcm(key, TagLength);
        // Sealing roots come from a sub-key under its own label, never from the AES-GCM key material directly.
        _sealingRoot = new byte[KeyLength];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, key, _sealingRoot, [], "secgear-as master/sealing-roots v1"u8);
    }

    /// <summary>
    /// Fills <paramref name="output"/> with HKDF-SHA-256 of the master key's sealing sub-key and <paramref name="info"/>:
    /// the same master key and info give the same bytes on every instance (sealing by attestation).
    /// </summary>
    public void DeriveSealingRoot(ReadOnlySpan<byte> info, Span<byte> output) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _sealingRoot, output, [], info);

    /// <summary>Encrypts <paramref name="plaintext"/> bound to <paramref name="context"/> (e.g. <c>resource/a/b/c</c>).</summary>
    public byte[] Encrypt(ReadOnlySpan<byte> plaintext, string context)
    {
        var sealedValue = new byte[1 + NonceLength + plaintext.Length + TagLength];
        sealedValue[0] = FormatVersion;
        var nonce = sealedValue.AsSpan(1, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        _aes.Encrypt(nonce, plaintext, sealedValue.AsSpan(1 + NonceLength, plaintext.Length), sealedValue.AsSpan(1 + NonceLength + plaintext.Length), Encoding.UTF8.GetBytes(context));
        return sealedValue;
    }

    /// <summary>Decrypts a value sealed by <see cref="Encrypt"/> under the same context.</summary>
    /// <exception cref="CryptographicException">Another master key, another context, or a modified value.</exception>
    public byte[] Decrypt(ReadOnlySpan<byte> sealedValue, string context)
    {
        if (sealedValue.Length < 1 + NonceLength + TagLength || sealedValue[0] != FormatVersion)
        {
            throw new CryptographicException("The stored secret is not in master-key format version 1.");
        }

        int length = sealedValue.Length - 1 - NonceLength - TagLength;
        var plaintext = new byte[length];
        try
        {
            _aes.Decrypt(sealedValue.Slice(1, NonceLength), sealedValue.Slice(1 + NonceLength, length), sealedValue[^TagLength..], plaintext, Encoding.UTF8.GetBytes(context));
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new CryptographicException(
                "A stored secret does not decrypt with this master key (another key, or the database was modified); instances sharing a database must share the master key.", ex);
        }

        return plaintext;
    }

    /// <summary>
    /// The configured key (<c>MasterKey</c> base64, else <c>MasterKeyFile</c>), else <c>master.key</c> in the data directory,
    /// created with mode 0600 when absent.
    /// </summary>
    public static MasterKey Load(string? base64, string? file, string dataDirectory)
    {
        if (!string.IsNullOrWhiteSpace(base64))
        {
            return FromText(base64, "the configured AttestationService:MasterKey");
        }

        string path = file ?? Path.Combine(dataDirectory, "master.key");
        if (file is null && !File.Exists(path))
        {
            var fresh = RandomNumberGenerator.GetBytes(KeyLength);
            try
            {
                SecretFile.CreateNew(path, fresh);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another instance on the same directory created it first: use theirs.
                CryptographicOperations.ZeroMemory(fresh);
                return FromFile(path);
            }

            try
            {
                return new MasterKey(fresh);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(fresh);
            }
        }

        return FromFile(path);
    }

    private static MasterKey FromFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"The master key file '{path}' cannot be read: {ex.Message}", ex);
        }

        try
        {
            return bytes.Length == KeyLength ? new MasterKey(bytes) : FromText(Encoding.ASCII.GetString(bytes), $"the master key file '{path}'");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    private static MasterKey FromText(string text, string source)
    {
        byte[] key;
        try
        {
            key = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{source} is not base64.");
        }

        try
        {
            return key.Length == KeyLength
                ? new MasterKey(key)
                : throw new InvalidOperationException($"{source} decodes to {key.Length} bytes; a master key is {KeyLength}.");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _aes.Dispose();
        CryptographicOperations.ZeroMemory(_sealingRoot);
    }
}
