namespace SecGear.ConfidentialVm.Tsm;

/// <summary>
/// A system call on the configfs-tsm tree failed with <see cref="Errno"/>. Thrown by <see cref="ITsmFileSystem"/>
/// implementations; <see cref="ConfigFsTsm"/> turns it into a <see cref="TsmException"/> with a typed failure.
/// </summary>
public sealed class TsmSystemException(int errno, string operation, string path)
    : IOException($"{operation} {path}: {Tsm.Errno.Name(errno)}")
{
    /// <summary>The errno value.</summary>
    public int Errno { get; } = errno;

    /// <summary>The operation that failed (mkdir, rmdir, open, read, write, close).</summary>
    public string Operation { get; } = operation;

    /// <summary>The path it failed on.</summary>
    public string Path { get; } = path;
}
