using System.Diagnostics;

namespace SecGear.Host.Tests;

/// <summary>The simulation engine never hangs or misreads a runner that fails to start properly.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Collection(ImagesCollection.Name)]
public sealed class RunnerStartupTests(TestImages images) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("secgear-runner-").FullName;

    [Fact]
    public void A_runner_that_never_reports_ready_fails_after_the_start_timeout()
    {
        string runner = Script("silent", "exec sleep 30");
        var watch = Stopwatch.StartNew();

        var ex = Assert.Throws<EnclaveLostException>(() => Enclave.Create(images.Main, EnclaveType.Simulation, options: new EnclaveOptions
        {
            RunnerPath = runner,
            StartTimeout = TimeSpan.FromMilliseconds(500),
        }));

        Assert.Contains("did not report ready", ex.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"creation took {watch.Elapsed}");
    }

    [Fact]
    public void A_runner_that_exits_at_once_reports_its_error_output()
    {
        string runner = Script("crash", "echo 'runner exploded' >&2; exit 9");

        var ex = Assert.Throws<EnclaveLostException>(() => Enclave.Create(images.Main, EnclaveType.Simulation, options: new EnclaveOptions { RunnerPath = runner }));

        Assert.Contains("runner exploded", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("{\"Region\":\"/tmp/evil\",\"SlotCount\":4,\"SlotSize\":65536,\"MaxPayload\":67108864}")]
    [InlineData("{\"Region\":\"/dev/shm/secgear-1-0123456789abcdef\",\"SlotCount\":4,\"SlotSize\":65536,\"MaxPayload\":67108864}")]
    public void A_runner_that_sends_a_bad_start_up_message_is_refused(string line)
    {
        string runner = Script("liar", $"echo '{line}'; exec sleep 30");

        Assert.Throws<EnclaveLostException>(() => Enclave.Create(images.Main, EnclaveType.Simulation, options: new EnclaveOptions { RunnerPath = runner }));
    }

    [Fact]
    public void A_missing_runner_is_reported_with_its_path()
    {
        var ex = Assert.Throws<EnclaveNotSupportedException>(() => Enclave.Create(images.Main, EnclaveType.Simulation, options: new EnclaveOptions { RunnerPath = "/nonexistent/SecGear.Runner.dll" }));

        Assert.Contains("/nonexistent/SecGear.Runner.dll", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Script(string name, string body)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, $"#!/bin/sh\n{body}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
