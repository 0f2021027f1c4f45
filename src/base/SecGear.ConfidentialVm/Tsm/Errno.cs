namespace SecGear.ConfidentialVm.Tsm;

/// <summary>The Linux errno values the configfs-tsm ABI and the guest devices return (asm-generic/errno-base.h).</summary>
public static class Errno
{
    /// <summary>Operation not permitted.</summary>
    public const int EPERM = 1;

    /// <summary>No such file or directory.</summary>
    public const int ENOENT = 2;

    /// <summary>Interrupted system call.</summary>
    public const int EINTR = 4;

    /// <summary>I/O error (the provider failed to produce a report).</summary>
    public const int EIO = 5;

    /// <summary>No such device or address: configfs-tsm has no provider registered (mkdir of a report entry).</summary>
    public const int ENXIO = 6;

    /// <summary>Try again (firmware throttling).</summary>
    public const int EAGAIN = 11;

    /// <summary>Permission denied.</summary>
    public const int EACCES = 13;

    /// <summary>Device or resource busy.</summary>
    public const int EBUSY = 16;

    /// <summary>File exists.</summary>
    public const int EEXIST = 17;

    /// <summary>Invalid argument (e.g. an inblob of the wrong length for the provider).</summary>
    public const int EINVAL = 22;

    /// <summary>Inappropriate ioctl for device.</summary>
    public const int ENOTTY = 25;

    /// <summary>File too large: a write past a configfs binary attribute's maximum size (inblob &gt; 64 bytes).</summary>
    public const int EFBIG = 27;

    /// <summary>No such device.</summary>
    public const int ENODEV = 19;

    /// <summary>Operation not supported.</summary>
    public const int EOPNOTSUPP = 95;

    /// <summary>A short name for messages (e.g. "EBUSY").</summary>
    public static string Name(int errno) => errno switch
    {
        EPERM => "EPERM",
        ENOENT => "ENOENT",
        EINTR => "EINTR",
        EIO => "EIO",
        ENXIO => "ENXIO",
        EAGAIN => "EAGAIN",
        EACCES => "EACCES",
        EBUSY => "EBUSY",
        EEXIST => "EEXIST",
        EINVAL => "EINVAL",
        ENOTTY => "ENOTTY",
        ENODEV => "ENODEV",
        EFBIG => "EFBIG",
        EOPNOTSUPP => "EOPNOTSUPP",
        _ => $"errno {errno}",
    };
}
