using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace SecGear.Testing;

/// <summary>
/// A process stopped with SIGSTOP until <see cref="Continue"/> or <see cref="Dispose"/> sends SIGCONT: for tests that
/// post work to a process that cannot run. kill(SIGSTOP) returns before every thread of the target has stopped (a
/// thread spinning on another core can still act for a moment), so <see cref="Stop"/> returns only once every thread
/// of the process shows state T.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed partial class StoppedProcess : IDisposable
{
    private const int Sigstop = 19;
    private const int Sigcont = 18;

    private readonly int _pid;
    private bool _continued;

    private StoppedProcess(int pid) => _pid = pid;

    /// <summary>Stops process <paramref name="pid"/> and waits (up to 10 s) until every one of its threads has stopped.</summary>
    public static StoppedProcess Stop(int pid)
    {
        Signal(pid, Sigstop);
        var stopped = new StoppedProcess(pid);
        try
        {
            WaitUntilStopped(pid);
            return stopped;
        }
        catch
        {
            stopped.Dispose();
            throw;
        }
    }

    /// <summary>Lets the process run again (SIGCONT). Only the first call signals.</summary>
    public void Continue()
    {
        if (!_continued)
        {
            _continued = true;
            Signal(_pid, Sigcont);
        }
    }

    /// <summary>Continues the process if the test has not (a failing assertion must not leave it stopped).</summary>
    public void Dispose() => Continue();

    private static void Signal(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}");
        }
    }

    private static void WaitUntilStopped(int pid)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (Directory.GetDirectories($"/proc/{pid}/task").All(IsStopped))
            {
                return;
            }

            Thread.Sleep(1);
        }

        throw new TimeoutException($"process {pid} did not stop within 10 s of SIGSTOP");
    }

    private static bool IsStopped(string taskDirectory)
    {
        try
        {
            string stat = File.ReadAllText(Path.Combine(taskDirectory, "stat"));
            char state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is 'T' or 't';
        }
        catch (IOException)
        {
            return true; // the thread has exited
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
