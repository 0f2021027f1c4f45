using SecGear.Files;

namespace SecGear.Cli;

/// <summary>File writes that never leave a half-written file behind.</summary>
internal static class CliFiles
{
    /// <summary>
    /// Writes <paramref name="content"/> to a temporary file with <paramref name="mode"/> and moves it into place.
    /// Without <paramref name="overwrite"/>, an existing file is kept and false is returned.
    /// </summary>
    public static bool WriteAtomically(string path, ReadOnlySpan<byte> content, UnixFileMode mode, bool overwrite)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }

            if (overwrite)
            {
                File.Move(temporary, full, overwrite: true);
                return true;
            }

            return NoReplaceLink.TryPublish(temporary, full);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    public const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public const UnixFileMode Public = Private | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
}
