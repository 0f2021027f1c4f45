using SecGear.Edl;

namespace SecGear.Cli;

/// <summary>Serves EDL imports from the file system for <c>secgear edl</c> (MSBuild builds serve them from AdditionalFiles).</summary>
internal sealed class EdlDiskFileProvider : IEdlFileProvider
{
    /// <summary>Largest EDL file read; anything bigger is reported as missing rather than read into memory.</summary>
    private const long MaxFileBytes = 16L * 1024 * 1024;

    public string? TryRead(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.Length > MaxFileBytes)
        {
            return null;
        }

        return File.ReadAllText(info.FullName);
    }
}
