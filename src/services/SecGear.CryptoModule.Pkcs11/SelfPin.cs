using System.Runtime.InteropServices;

namespace SecGear.CryptoModule.Pkcs11;

/// <summary>
/// Keeps this library mapped for the life of the process. A NativeAOT library cannot be unloaded: its runtime's threads
/// (thread pool, HTTP) keep running code in it, so a host that dlclose()s it after C_Finalize (Pkcs11Interop does)
/// would crash. Re-opening ourselves with RTLD_NODELETE makes dlclose a no-op.
/// </summary>
internal static unsafe partial class SelfPin
{
    private const int RtldNow = 0x2;
    private const int RtldNoLoad = 0x4;
    private const int RtldNoDelete = 0x1000;
    private static bool s_pinned;

    public static void Pin(void* anyExport)
    {
        if (s_pinned)
        {
            return;
        }

        DlInfo info;
        if (DlAddr(anyExport, &info) != 0 && info.FileName is not null)
        {
            s_pinned = DlOpen(info.FileName, RtldNow | RtldNoLoad | RtldNoDelete) != 0;
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct DlInfo
    {
        public byte* FileName;
        public void* BaseAddress;
        public byte* SymbolName;
        public void* SymbolAddress;
    }

    [LibraryImport("libc.so.6", EntryPoint = "dladdr")]
    private static partial int DlAddr(void* address, DlInfo* info);

    [LibraryImport("libc.so.6", EntryPoint = "dlopen")]
    private static partial nint DlOpen(byte* fileName, int flags);
}
