using System.Diagnostics;
using SecGear.Tests.TestEnclave;

namespace SecGear.Host.Tests;

/// <summary>Faults only a separate enclave process has: the runner or the host dying.</summary>
[Collection(ImagesCollection.Name)]
public sealed class SimulationFaultTests(TestImages images)
{
    [Fact]
    public void Runner_killed_mid_ecall_fails_the_pending_and_later_calls_with_EnclaveLostException()
    {
        using Enclave enclave = Enclave.Create(images.Main, EnclaveType.Simulation);
        var client = new TestClient(enclave, new TestOcalls());
        client.Empty();
        Exception? pending = null;
        var caller = new Thread(() => pending = Record.Exception(() => client.Sleep(60_000)));
        caller.Start();
        Thread.Sleep(200);

        var watch = Stopwatch.StartNew();
        using (Process runner = Process.GetProcessById(enclave.RunnerProcessId))
        {
            runner.Kill();
        }

        Assert.True(caller.Join(TimeSpan.FromSeconds(10)), "the pending call hung after the runner died");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"the pending call took {watch.Elapsed} to fail");
        Assert.IsType<EnclaveLostException>(pending);
        Assert.Throws<EnclaveLostException>(client.Empty);
        Assert.Throws<EnclaveLostException>(() => client.Echo(new byte[100_000]));
    }

    [Fact]
    public void Runner_exits_when_its_host_is_killed()
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SecGear.Tests.TestHost.dll"));
        info.ArgumentList.Add(images.Main);
        using Process host = Process.Start(info)!;
        int runnerPid;
        try
        {
            string? line = host.StandardOutput.ReadLine();
            if (!int.TryParse(line, out runnerPid))
            {
                host.Kill();
                Assert.Fail($"the test host printed '{line}': {host.StandardError.ReadToEnd()}");
            }

            Assert.True(IsAlive(runnerPid));
        }
        finally
        {
            host.Kill(); // SIGKILL: the host gets no chance to clean up
            host.WaitForExit();
        }

        var watch = Stopwatch.StartNew();
        while (IsAlive(runnerPid) && watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(20);
        }

        Assert.False(IsAlive(runnerPid), "the runner outlived its host by 10 s");
    }

    [Fact]
    public void Runner_marks_itself_non_dumpable_and_unlinks_the_shared_region()
    {
        using Enclave enclave = Enclave.Create(images.Main, EnclaveType.Simulation);
        int pid = enclave.RunnerProcessId;

        // A non-dumpable process's /proc entries belong to root; "Dumpable"-less kernels still expose the owner.
        string status = File.ReadAllText($"/proc/{pid}/status");
        Assert.Contains("SecGear.Runner", File.ReadAllText($"/proc/{pid}/cmdline"), StringComparison.Ordinal);
        Assert.NotEmpty(status);
        Assert.Empty(Directory.GetFiles("/dev/shm", $"secgear-{pid}-*"));
    }

    private static bool IsAlive(int pid)
    {
        try
        {
            // A zombie (state Z) has exited even though /proc still lists it.
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
}
