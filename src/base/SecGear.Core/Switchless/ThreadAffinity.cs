using System.Runtime.InteropServices;

namespace SecGear.Switchless;

/// <summary>Pins the calling thread to a set of CPUs with sched_setaffinity(2) (Linux).</summary>
internal static unsafe partial class ThreadAffinity
{
    /// <summary>Pins the current thread; returns false when the kernel refuses (e.g. a CPU outside the allowed set).</summary>
    public static bool TrySet(IReadOnlyList<int> cpus)
    {
        if (cpus.Count == 0 || !OperatingSystem.IsLinux())
        {
            return cpus.Count == 0;
        }

        ulong* mask = stackalloc ulong[16];
        new Span<ulong>(mask, 16).Clear();
        foreach (int cpu in cpus)
        {
            mask[cpu / 64] |= 1UL << (cpu % 64);
        }

        return SchedSetAffinity(0, 16 * sizeof(ulong), mask) == 0;
    }

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static partial int SchedSetAffinity(int pid, nuint size, ulong* mask);
}
