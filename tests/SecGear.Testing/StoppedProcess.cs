using System.Diagnostics;

namespace SecGear.Host.Tests.Switchless;

/// <summary>
/// kill(SIGSTOP) returns before every thread of the target has stopped: a worker spinning on the other core can still
/// accept a task for a moment. Tests that post work "to a stopped runner" wait here until every thread shows state T.
/// </summary>
internal static class StoppedProcess
{
    public static void WaitUntilStopped(int pid)
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
}
