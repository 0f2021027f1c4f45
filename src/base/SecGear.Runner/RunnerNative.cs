using System.Runtime.InteropServices;

namespace SecGear.Runner;

/// <summary>The few libc calls the runner needs.</summary>
internal static partial class RunnerNative
{
    private const int PrSetDumpable = 4;

    /// <summary>Makes the process non-dumpable: no core dumps, and no ptrace or /proc/pid/mem access by same-uid processes.</summary>
    public static bool MakeNonDumpable() => Prctl(PrSetDumpable, 0, 0, 0, 0) == 0;

    /// <summary>Ends the process at once, without running managed shutdown (which could wait on enclave threads).</summary>
    public static void Exit(int code) => ExitNow(code);

    [LibraryImport("libc", EntryPoint = "prctl")]
    private static partial int Prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", EntryPoint = "_exit")]
    private static partial void ExitNow(int code);
}
