using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace SecGear.Benchmarks;

/// <summary>
/// A native two-process ping-pong, the floor a call benchmark is compared with in the same run: compiles one of the C
/// sources embedded in this assembly (bench/native) with gcc and binds its start / round-trip / stop functions.
/// </summary>
internal sealed unsafe class NativePingPong : IDisposable
{
    private readonly delegate* unmanaged<void> _roundTrip;
    private readonly delegate* unmanaged<void> _stop;

    private NativePingPong(string name, string prefix, string description)
    {
        string dir = Directory.CreateTempSubdirectory("secgear-" + prefix + "-").FullName;
        string source = Path.Combine(dir, name + ".c");
        string library = Path.Combine(dir, "lib" + name + ".so");
        using (Stream resource = Assembly.GetExecutingAssembly().GetManifestResourceStream(name + ".c")!)
        using (FileStream file = File.Create(source))
        {
            resource.CopyTo(file);
        }

        using (Process gcc = Process.Start("gcc", ["-O2", "-shared", "-fPIC", "-o", library, source]))
        {
            gcc.WaitForExit();
            if (gcc.ExitCode != 0)
            {
                throw new InvalidOperationException($"gcc failed to build the native {description}.");
            }
        }

        nint handle = NativeLibrary.Load(library);
        var start = (delegate* unmanaged<int>)NativeLibrary.GetExport(handle, prefix + "_start");
        _roundTrip = (delegate* unmanaged<void>)NativeLibrary.GetExport(handle, prefix + "_round_trip");
        _stop = (delegate* unmanaged<void>)NativeLibrary.GetExport(handle, prefix + "_stop");
        if (start() != 0)
        {
            throw new InvalidOperationException($"The native {description} responder could not be started.");
        }
    }

    /// <summary>Two processes waking each other with futexes: the floor of a regular call (bench/native/futex_pingpong.c).</summary>
    public static NativePingPong Futex() => new("futex_pingpong", "fpp", "futex ping-pong");

    /// <summary>Two processes polling shared memory: the floor of a switchless call (bench/native/spin_pingpong.c).</summary>
    public static NativePingPong Spin() => new("spin_pingpong", "spp", "spin ping-pong");

    public void RoundTrip() => _roundTrip();

    public void Dispose() => _stop();
}
