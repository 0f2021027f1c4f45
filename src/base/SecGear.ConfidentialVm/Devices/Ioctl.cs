using System.Runtime.InteropServices;

namespace SecGear.ConfidentialVm.Devices;

/// <summary>The Linux ioctl request encoding (asm-generic/ioctl.h) and the calls themselves.</summary>
public static partial class Ioctl
{
    private const int NrBits = 8;
    private const int TypeBits = 8;
    private const int SizeBits = 14;
    private const int TypeShift = NrBits;
    private const int SizeShift = TypeShift + TypeBits;
    private const int DirShift = SizeShift + SizeBits;
    private const uint Write = 1;
    private const uint Read = 2;

    /// <summary>_IOWR(type, nr, size).</summary>
    public static uint ReadWrite(char type, uint nr, int size) =>
        ((Read | Write) << DirShift) | ((uint)size << SizeShift) | ((uint)type << TypeShift) | nr;

    /// <summary>open(2) read-write; returns the descriptor or -errno.</summary>
    internal static int OpenReadWrite(string path)
    {
        int fd = Open(path, 2 | 0x80000);
        return fd >= 0 ? fd : -Marshal.GetLastPInvokeError();
    }

    /// <summary>ioctl(2); returns 0 or -errno.</summary>
    internal static unsafe int Call(int fd, uint request, void* argument)
    {
        int rc = IoctlCall(fd, request, argument);
        return rc >= 0 ? 0 : -Marshal.GetLastPInvokeError();
    }

    /// <summary>close(2).</summary>
    internal static void CloseDescriptor(int fd) => _ = Close(fd);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static unsafe partial int IoctlCall(int fd, nuint request, void* argument);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
