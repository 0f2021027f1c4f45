using Microsoft.Win32.SafeHandles;

namespace SecGear.Transport;

/// <summary>
/// Carries one payload that does not fit a slot's inline area: the sender writes a new file (mode 0600, never an
/// existing one) next to the region, the receiver opens it, unlinks it, checks its length against the header and
/// reads it straight into private memory. The name is derived from the region name, slot and a sequence number;
/// the peer never supplies a path.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class OverflowFile
{
    public static void Write(string path, ReadOnlySpan<byte> payload)
    {
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            PreallocationSize = payload.Length,
        };
        using var stream = new FileStream(path, options);
        RandomAccess.Write(stream.SafeFileHandle, payload, 0);
    }

    public static void ReadAndDelete(string path, Span<byte> destination)
    {
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MarshalException($"The overflow payload announced by the peer cannot be opened: {ex.Message}");
        }

        using (handle)
        {
            File.Delete(path);
            long length = RandomAccess.GetLength(handle);
            if (length != destination.Length)
            {
                throw new MarshalException($"The overflow payload holds {length} bytes; its header announced {destination.Length}.");
            }

            int done = 0;
            while (done < destination.Length)
            {
                int n = RandomAccess.Read(handle, destination[done..], done);
                if (n <= 0)
                {
                    throw new MarshalException($"The overflow payload ended after {done} of {destination.Length} bytes.");
                }

                done += n;
            }
        }
    }

    /// <summary>Deletes every overflow file that belongs to the region <paramref name="regionPath"/> (best effort).</summary>
    public static void DeleteAll(string regionPath)
    {
        string? directory = Path.GetDirectoryName(regionPath);
        if (directory is null || !Directory.Exists(directory))
        {
            return;
        }

        try
        {
            foreach (string file in Directory.EnumerateFiles(directory, Path.GetFileName(regionPath) + ".*"))
            {
                File.Delete(file);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Best effort at teardown: a file that cannot be deleted now is left for the next cleanup.
            return;
        }
    }
}
