using System.Runtime.InteropServices;

namespace SecGear.ConfidentialVm.Tsm;

/// <summary>
/// configfs-tsm through the system calls (libc mkdir, rmdir, open, read, write, close). .NET's file APIs map errno
/// values to a few exception types and lose the ones the ABI speaks in (ENXIO: no provider; EBUSY; EFBIG), so this
/// calls libc directly.
/// </summary>
public sealed partial class LinuxTsmFileSystem : ITsmFileSystem
{
    private const int ORdOnly = 0;
    private const int OWrOnly = 1;
    private const int OCloexec = 0x80000;

    /// <summary>The one instance.</summary>
    public static LinuxTsmFileSystem Instance { get; } = new();

    /// <inheritdoc/>
    public bool DirectoryExists(string path) => Directory.Exists(path);

    /// <inheritdoc/>
    public bool FileExists(string path) => File.Exists(path);

    /// <inheritdoc/>
    public void CreateDirectory(string path)
    {
        if (Mkdir(path, Convert.ToUInt32("700", 8)) != 0)
        {
            throw new TsmSystemException(Marshal.GetLastPInvokeError(), "mkdir", path);
        }
    }

    /// <inheritdoc/>
    public void RemoveDirectory(string path)
    {
        if (Rmdir(path) != 0)
        {
            throw new TsmSystemException(Marshal.GetLastPInvokeError(), "rmdir", path);
        }
    }

    /// <inheritdoc/>
    public unsafe void WriteFile(string path, ReadOnlySpan<byte> data)
    {
        int fd = Open(path, OWrOnly | OCloexec);
        if (fd < 0)
        {
            throw new TsmSystemException(Marshal.GetLastPInvokeError(), "open", path);
        }

        bool closed = false;
        try
        {
            fixed (byte* p = data)
            {
                int done = 0;
                while (done < data.Length)
                {
                    nint n = Write(fd, p + done, (nuint)(data.Length - done));
                    if (n < 0)
                    {
                        int errno = Marshal.GetLastPInvokeError();
                        if (errno == Errno.EINTR)
                        {
                            continue;
                        }

                        throw new TsmSystemException(errno, "write", path);
                    }

                    done += (int)n;
                }
            }

            // configfs hands a binary attribute's buffer to the kernel's write handler on release: its error is close's.
            closed = true;
            if (Close(fd) != 0)
            {
                throw new TsmSystemException(Marshal.GetLastPInvokeError(), "close", path);
            }
        }
        finally
        {
            if (!closed)
            {
                _ = Close(fd);
            }
        }
    }

    /// <inheritdoc/>
    public unsafe byte[] ReadFile(string path, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        int fd = Open(path, ORdOnly | OCloexec);
        if (fd < 0)
        {
            throw new TsmSystemException(Marshal.GetLastPInvokeError(), "open", path);
        }

        try
        {
            byte[] buffer = new byte[limit + 1];
            int done = 0;
            fixed (byte* p = buffer)
            {
                while (done < buffer.Length)
                {
                    nint n = Read(fd, p + done, (nuint)(buffer.Length - done));
                    if (n < 0)
                    {
                        int errno = Marshal.GetLastPInvokeError();
                        if (errno == Errno.EINTR)
                        {
                            continue;
                        }

                        throw new TsmSystemException(errno, "read", path);
                    }

                    if (n == 0)
                    {
                        break;
                    }

                    done += (int)n;
                }
            }

            return buffer.AsSpan(0, done).ToArray();
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "mkdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Mkdir(string path, uint mode);

    [LibraryImport("libc", EntryPoint = "rmdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Rmdir(string path);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint Read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
