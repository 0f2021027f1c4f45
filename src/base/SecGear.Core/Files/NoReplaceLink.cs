using System.Runtime.InteropServices;

namespace SecGear.Files;

/// <summary>
/// Publishes a finished file under its final name only if that name is free. On Unix this is link(2), which fails
/// with EEXIST instead of replacing (File.Move without overwrite checks, then renames: two racing processes could
/// both "win" and the later one would silently replace the earlier secret). One implementation for the platform secret
/// (trusted side) and the files the secgear CLI writes (signing keys).
/// </summary>
internal static partial class NoReplaceLink
{
    private const int EEXIST = 17;

    /// <summary>Returns true when <paramref name="destination"/> was created, false when it already existed.</summary>
    public static bool TryPublish(string source, string destination)
    {
        if (OperatingSystem.IsWindows())
        {
            // MoveFileEx without MOVEFILE_REPLACE_EXISTING is already atomic and non-replacing.
            try
            {
                File.Move(source, destination, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(destination))
            {
                return false;
            }
        }

        if (Link(source, destination) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        if (errno == EEXIST)
        {
            return false;
        }

        throw new IOException($"link(2) failed with errno {errno}; the file system must support hard links.");
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string oldPath, string newPath);
}
