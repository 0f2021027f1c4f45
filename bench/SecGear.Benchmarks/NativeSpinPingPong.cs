using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace SecGear.Benchmarks;

/// <summary>
/// Compiles bench/native/spin_pingpong.c (embedded in this assembly) with gcc and binds its functions: the floor for
/// a switchless call, a two-process shared-memory ping-pong in which both sides poll, measured in the same run.
/// </summary>
internal sealed unsafe class NativeSpinPingPong : IDisposable
{
    private readonly delegate* unmanaged<void> _roundTrip;
    private readonly delegate* unmanaged<void> _stop;

    public NativeSpinPingPong()
    {
        string dir = Directory.CreateTempSubdirectory("secgear-spp-").FullName;
        string source = Path.Combine(dir, "spin_pingpong.c");
        string library = Path.Combine(dir, "libspin_pingpong.so");
        using (Stream resource = Assembly.GetExecutingAssembly().GetManifestResourceStream("spin_pingpong.c")!)
        using (FileStream file = File.Create(source))
        {
            resource.CopyTo(file);
        }

        using (Process gcc = Process.Start("gcc", ["-O2", "-shared", "-fPIC", "-o", library, source]))
        {
            gcc.WaitForExit();
            if (gcc.ExitCode != 0)
            {
                throw new InvalidOperationException("gcc failed to build the native spin ping-pong.");
            }
        }

        nint handle = NativeLibrary.Load(library);
        var start = (delegate* unmanaged<int>)NativeLibrary.GetExport(handle, "spp_start");
        _roundTrip = (delegate* unmanaged<void>)NativeLibrary.GetExport(handle, "spp_round_trip");
        _stop = (delegate* unmanaged<void>)NativeLibrary.GetExport(handle, "spp_stop");
        if (start() != 0)
        {
            throw new InvalidOperationException("The native spin ping-pong responder could not be started.");
        }
    }

    public void RoundTrip() => _roundTrip();

    public void Dispose() => _stop();
}
