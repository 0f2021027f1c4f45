using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;
using SecGear.Files;

namespace SecGear.Simulation;

/// <summary>
/// Reads the platform secret, creating it on first use. Creation writes a private temporary file and links it
/// into place with link(2), which never replaces an existing file, so concurrent creators end with one secret.
/// </summary>
internal static class PlatformSecretFile
{
    public const int CreatedLength = 32;
    public const int MinLength = 32;
    public const int MaxLength = 4096;

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>Returns the secret in a pinned array the caller zeroes when done.</summary>
    public static byte[] LoadOrCreate(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            if (TryRead(path, out byte[]? secret))
            {
                return secret;
            }

            Create(path);
        }

        throw new PlatformSecretException($"Platform secret '{path}' could not be created or read; check the directory's permissions.");
    }

    // False when the file does not exist; an existing but unusable secret throws.
    private static bool TryRead(string path, [NotNullWhen(true)] out byte[]? secret)
    {
        secret = null;
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PlatformSecretException($"Platform secret '{path}' cannot be opened: {ex.Message}", ex);
        }

        using (handle)
        {
            if (!OperatingSystem.IsWindows())
            {
                var mode = File.GetUnixFileMode(handle);
                if ((mode & GroupOrOther) != 0)
                {
                    throw new PlatformSecretException(
                        $"Platform secret '{path}' has mode {Octal(mode)}; it must be readable by its owner only (0600). Run: chmod 600 '{path}'.");
                }
            }

            long length = RandomAccess.GetLength(handle);
            if (length is < MinLength or > MaxLength)
            {
                throw new PlatformSecretException(
                    $"Platform secret '{path}' is {length} bytes; expected {MinLength}..{MaxLength}. Delete it to create a new one (this loses every sealed blob).");
            }

            secret = GC.AllocateArray<byte>((int)length, pinned: true);
            int read = 0;
            while (read < secret.Length)
            {
                int n = RandomAccess.Read(handle, secret.AsSpan(read), read);
                if (n == 0)
                {
                    CryptographicOperations.ZeroMemory(secret);
                    throw new PlatformSecretException($"Platform secret '{path}' shrank while it was read.");
                }

                read += n;
            }

            return true;
        }
    }

    private static void Create(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        Span<byte> secret = stackalloc byte[CreatedLength];
        try
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnly;
            }

            RandomNumberGenerator.Fill(secret);
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(secret);
                stream.Flush(flushToDisk: true);
            }

            // When another process published first, its secret is the one everyone reads; ours is discarded.
            NoReplaceLink.TryPublish(temporary, path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PlatformSecretException($"Platform secret '{path}' cannot be created: {ex.Message}", ex);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
            File.Delete(temporary);
        }
    }

    private static string Octal(UnixFileMode mode) => Convert.ToString((int)mode, 8).PadLeft(4, '0');
}
