using System.Security.Cryptography;
using System.Text;

namespace SecGear.AttestationService.Security;

/// <summary>
/// Checks administrator API keys: only their SHA-256 hashes are held, and a presented key's hash is compared with each
/// in constant time (all of them, so the time does not say which matched).
/// </summary>
public sealed class AdminAuthenticator
{
    private readonly byte[][] _hashes;

    /// <summary>Creates the authenticator from key hashes (32 bytes each).</summary>
    public AdminAuthenticator(IEnumerable<byte[]> keyHashes)
    {
        ArgumentNullException.ThrowIfNull(keyHashes);
        _hashes = [.. keyHashes];
        if (_hashes.Any(h => h.Length != SHA256.HashSizeInBytes))
        {
            throw new ArgumentException("An admin API key hash is a 32-byte SHA-256.", nameof(keyHashes));
        }
    }

    /// <summary>True when <paramref name="presentedKey"/> is one of the administrator keys.</summary>
    public bool IsAdministrator(string? presentedKey)
    {
        if (string.IsNullOrEmpty(presentedKey) || presentedKey.Length > 1024)
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(presentedKey), hash);
        bool match = false;
        foreach (var candidate in _hashes)
        {
            match |= CryptographicOperations.FixedTimeEquals(hash, candidate);
        }

        return match;
    }

    /// <summary>The SHA-256 (lower-case hex) of an API key, the form <c>AdminApiKeyHashes</c> takes.</summary>
    public static string HashKey(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>
    /// From configuration: the configured hashes, plus the key in <paramref name="keyFile"/>; when neither is given, the
    /// key in <c>admin.key</c> in the data directory, generated (0600, 32 random bytes base64url) when absent.
    /// </summary>
    public static AdminAuthenticator Load(IEnumerable<string> configuredHashes, string? keyFile, string dataDirectory)
    {
        var list = new List<byte[]>();
        foreach (var text in configuredHashes)
        {
            byte[] hash;
            try
            {
                hash = Convert.FromHexString(text.Trim());
            }
            catch (FormatException)
            {
                throw new InvalidOperationException("AttestationService:AdminApiKeyHashes holds a value that is not hex.");
            }

            list.Add(hash.Length == SHA256.HashSizeInBytes
                ? hash
                : throw new InvalidOperationException("AttestationService:AdminApiKeyHashes holds a value that is not a 64-digit SHA-256."));
        }

        if (keyFile is null && list.Count == 0)
        {
            keyFile = Path.Combine(dataDirectory, "admin.key");
            if (!File.Exists(keyFile))
            {
                var generated = Base64UrlKey();
                try
                {
                    SecretFile.CreateNew(keyFile, Encoding.ASCII.GetBytes(generated));
                }
                catch (IOException) when (File.Exists(keyFile))
                {
                    // Created concurrently by another instance; read it below.
                }
            }
        }

        if (keyFile is not null)
        {
            string key;
            try
            {
                key = File.ReadAllText(keyFile).Trim();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"The admin API key file '{keyFile}' cannot be read: {ex.Message}", ex);
            }

            if (key.Length < 16)
            {
                throw new InvalidOperationException($"The admin API key in '{keyFile}' is shorter than 16 characters.");
            }

            list.Add(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
        }

        return new AdminAuthenticator(list);
    }

    private static string Base64UrlKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
