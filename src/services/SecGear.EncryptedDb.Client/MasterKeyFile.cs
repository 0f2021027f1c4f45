using System.Security.Cryptography;

namespace SecGear.EncryptedDb.Client;

/// <summary>
/// A client master key (CMK) kept in a local file: 32 random bytes, mode 0600. The CMK never leaves the client; it
/// wraps column encryption keys (AES-256-GCM, see <see cref="ColumnKeyWrap"/>). <see cref="CryptoModuleMasterKeys"/>
/// keeps the CMK in the TEE crypto module instead.
/// </summary>
public static class MasterKeyFile
{
    /// <summary>The key store name recorded in the catalog for file-held master keys.</summary>
    public const string KeyStore = "file";

    /// <summary>Creates a new master key file; fails if the file exists.</summary>
    public static void Create(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] key = RandomNumberGenerator.GetBytes(32);
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var file = new FileStream(path, options);
            file.Write(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>Reads a master key file.</summary>
    public static byte[] Load(string path)
    {
        byte[] key;
        try
        {
            key = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.KeyUnavailable, $"the client master key file '{path}' cannot be read: {ex.Message}", ex);
        }

        if (key.Length != 32)
        {
            CryptographicOperations.ZeroMemory(key);
            throw new EncryptedDbException(EncryptedDbFailureCode.KeyUnavailable, $"the client master key file '{path}' does not hold a 32-byte key");
        }

        return key;
    }
}
