namespace SecGear.ConfidentialVm.Tsm;

/// <summary>
/// The few file-system operations configfs-tsm needs. <see cref="LinuxTsmFileSystem"/> performs them with the system
/// calls themselves (so errno values reach the caller unchanged); <see cref="Emulation.EmulatedConfigFsTsm"/> plays the
/// kernel's side of the ABI in process. Every failure is a <see cref="TsmSystemException"/>.
/// </summary>
public interface ITsmFileSystem
{
    /// <summary>True when <paramref name="path"/> is a directory.</summary>
    bool DirectoryExists(string path);

    /// <summary>True when <paramref name="path"/> is a file (a configfs attribute).</summary>
    bool FileExists(string path);

    /// <summary>mkdir(2) with mode 0700.</summary>
    void CreateDirectory(string path);

    /// <summary>rmdir(2).</summary>
    void RemoveDirectory(string path);

    /// <summary>Writes <paramref name="data"/> in one open/write/close; configfs binary attributes commit on close, so close errors count.</summary>
    void WriteFile(string path, ReadOnlySpan<byte> data);

    /// <summary>Reads at most <paramref name="limit"/> + 1 bytes, so that the caller can tell a blob over its limit from one at it.</summary>
    byte[] ReadFile(string path, int limit);
}
