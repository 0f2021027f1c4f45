using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace SecGear.Benchmarks;

/// <summary>
/// Compiles bench/native/futex_pingpong.c (embedded in this assembly) with gcc and binds its functions, so the
/// native floor is measured in the same run as the managed calls.
/// </summary>
internal sealed unsafe class NativeFutexPingPong : IDisposable
{
    private readonly nint _library;
    private readonly delegate* unmanaged<int> _start;
    private readonly delegate* unmanaged<void> _roundTrip;
    private readonly delegate* unmanaged<void> _stop;

    public NativeFutexPingPong()
    {
        string dir = Directory.CreateTempSubdirectory("secgear-fpp-").FullName;
        string source = Path.Combine(dir, "futex_pingpong.c");
        string library = Path.Combine(dir, "libfutex_pingpong.so");
        using (Stream resource = Assembly.GetExecutingAssembly().GetManifestResourceStream("futex_pingpong.c")!)
        using (FileStream file = File.Create(source))
        {
            resource.CopyTo(file);
        }

        using (Process gcc = Process.Start("gcc", ["-O2", "-shared", "-fPIC", "-o", library, source]))
        {
            gcc.WaitForExit();
            if (gcc.ExitCode != 0)
            {
                throw new InvalidOperationException("gcc failed to build the native futex ping-pong.");
            }
        }

        _library = NativeLibrary.Load(library);
        _start = (delegate* unmanaged<int>)NativeLibrary.GetExport(_library, "fpp_start");
        _roundTrip = (delegate* unmanaged<void>)NativeLibrary.GetExport(_library, "fpp_round_trip");
        _stop = (delegate* unmanaged<void>)NativeLibrary.GetExport(_library, "fpp_stop");
        if (_start() != 0)
        {
            throw new InvalidOperationException("The native ping-pong responder could not be started.");
        }
    }

    public void RoundTrip() => _roundTrip();

    public void Dispose() => _stop();
}
