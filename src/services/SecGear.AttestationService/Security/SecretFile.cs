namespace SecGear.AttestationService.Security;

/// <summary>Creates files that hold secrets: new only (never overwritten), owner read/write only (0600) from the first byte.</summary>
internal static class SecretFile
{
    public static void CreateNew(string path, ReadOnlySpan<byte> content)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        stream.Write(content);
        stream.Flush(flushToDisk: true);
    }
}
