using System.Runtime.InteropServices;

namespace SecGear.Transport;

/// <summary>
/// Linux futexes on words in a shared mapping (no FUTEX_PRIVATE_FLAG: the two processes share the word).
/// glibc's <c>syscall</c> is variadic; passing integer and pointer arguments through a fixed signature is
/// ABI-compatible on x86_64 and arm64, and it does not read them with va_arg.
/// </summary>
internal static unsafe partial class Futex
{
    private const int FutexWait = 0;
    private const int FutexWake = 1;

    private static readonly long SysFutex = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 202,
        Architecture.Arm64 => 98,
        _ => -1,
    };

    /// <summary>True on the platforms whose futex syscall number is known.</summary>
    public static bool IsSupported => OperatingSystem.IsLinux() && SysFutex > 0;

    /// <summary>Sleeps while <c>*address == expected</c>, until woken or <paramref name="timeoutMs"/> passes (negative: no limit).</summary>
    public static void Wait(int* address, int expected, int timeoutMs)
    {
        if (timeoutMs < 0)
        {
            _ = Syscall(SysFutex, address, FutexWait, expected, null, 0, 0);
            return;
        }

        var timeout = new Timespec { Seconds = timeoutMs / 1000, Nanoseconds = (timeoutMs % 1000) * 1_000_000L };
        _ = Syscall(SysFutex, address, FutexWait, expected, &timeout, 0, 0);
    }

    /// <summary>Sleeps while <c>*address == expected</c>, until woken or <paramref name="timeoutUs"/> microseconds pass (at least 1).</summary>
    public static void WaitMicroseconds(int* address, int expected, long timeoutUs)
    {
        timeoutUs = Math.Max(1, timeoutUs);
        var timeout = new Timespec { Seconds = timeoutUs / 1_000_000, Nanoseconds = (timeoutUs % 1_000_000) * 1000 };
        _ = Syscall(SysFutex, address, FutexWait, expected, &timeout, 0, 0);
    }

    /// <summary>Wakes every thread sleeping on <paramref name="address"/>.</summary>
    public static void Wake(int* address) => _ = Syscall(SysFutex, address, FutexWake, int.MaxValue, null, 0, 0);

    /// <summary>Wakes at most one thread sleeping on <paramref name="address"/> (one posted task needs one worker).</summary>
    public static void WakeOne(int* address) => _ = Syscall(SysFutex, address, FutexWake, 1, null, 0, 0);

    [LibraryImport("libc", EntryPoint = "syscall")]
    private static partial long Syscall(long number, int* address, int operation, int value, Timespec* timeout, nint address2, int value3);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
