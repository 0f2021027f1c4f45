using System.Diagnostics;

namespace SecGear.Cli.Tests;

// The secret file's permissions are POSIX modes.
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PlatformCommandTests : IDisposable
{
    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    private static string Fingerprint(string output) =>
        output.Split('\n').Single(l => l.StartsWith("fingerprint: ", StringComparison.Ordinal))["fingerprint: ".Length..].Trim();

    [Fact]
    public void Platform_init_creates_an_owner_only_secret_and_prints_a_stable_fingerprint_not_the_secret()
    {
        var path = _cli.Path("sim/platform.secret");
        var first = _cli.Ok("platform", "init", "--secret-path", path);
        var second = _cli.Ok("platform", "init", "--secret-path", path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(Fingerprint(first), Fingerprint(second));
        Assert.Equal(64, Fingerprint(first).Length);
        Assert.DoesNotContain(Convert.ToHexStringLower(File.ReadAllBytes(path)), first, StringComparison.Ordinal);
    }

    [Fact]
    public void Platform_init_refuses_a_world_readable_secret()
    {
        var path = _cli.Path("platform.secret");
        _cli.Ok("platform", "init", "--secret-path", path);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);

        var (code, _, error) = _cli.Run("platform", "init", "--secret-path", path);
        Assert.Equal(1, code);
        Assert.Contains("chmod 600", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Processes_creating_the_secret_at_once_end_with_one_secret()
    {
        const int racers = 6;
        var path = _cli.Path("race/platform.secret");
        var cli = Path.Combine(AppContext.BaseDirectory, "secgear.dll");
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet";
        var processes = Enumerable.Range(0, racers).Select(_ =>
        {
            var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { cli, "platform", "init", "--secret-path", path })
            {
                start.ArgumentList.Add(arg);
            }

            return Process.Start(start)!;
        }).ToArray();

        var fingerprints = new List<string>();
        var caFingerprints = new List<string>();
        foreach (var process in processes)
        {
            using (process)
            {
                var output = process.StandardOutput.ReadToEndAsync();
                var error = process.StandardError.ReadToEndAsync();
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
                await process.WaitForExitAsync(timeout.Token);
                Assert.True(process.ExitCode == 0, await error);
                fingerprints.Add(Fingerprint(await output));
                caFingerprints.Add((await output).Split('\n').Single(l => l.StartsWith("attestation ca sha256: ", StringComparison.Ordinal)));
            }
        }

        Assert.Single(fingerprints.Distinct());
        Assert.Single(caFingerprints.Distinct());

        // The secret and the two public attestation certificates beside it; no temporary file is left behind.
        Assert.Equal(
            ["platform.secret", "platform.secret.attestation-ca.pem", "platform.secret.attestation-key.pem"],
            Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(fingerprints[0], Fingerprint(_cli.Ok("platform", "init", "--secret-path", path)));
    }
}

/// <summary><c>secgear platform detect</c>: every engine and TEE interface, each absent one with its reason.</summary>
public sealed class PlatformDetectTests : IDisposable
{
    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Detect_lists_every_engine_and_interface_and_says_why_each_absent_one_is_absent()
    {
        string output = _cli.Ok("platform", "detect");

        Assert.Contains("simulation       available", output, StringComparison.Ordinal);
        Assert.Contains("  auto             -> ", output, StringComparison.Ordinal);
        foreach (string name in new[] { "configfs-tsm", "/dev/sev-guest", "/dev/tdx_guest", "/dev/tpmrm0" })
        {
            string line = output.Split('\n').Single(l => l.StartsWith("  " + name + " ", StringComparison.Ordinal));
            Assert.Matches(@"(available: .+|absent \((ConfigFsNotMounted|KernelTooOld|ProviderMissing|PermissionDenied|NotSupported|IoError|UnsupportedProvider)\): .+)", line);
        }

        Assert.Contains("  virtCCA TSI      absent (NotSupported): not supported: no documented guest interface", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Detect_names_the_provider_of_an_emulated_confidential_vm_and_auto_picks_it()
    {
        string dir = _cli.Path("vm");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "outblob"), new byte[1184]);
        File.WriteAllText(Path.Combine(dir, "vm.json"), """{"provider": "sev_guest", "outblob": "outblob"}""");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "secgear.dll"));
        start.ArgumentList.Add("platform");
        start.ArgumentList.Add("detect");
        start.Environment["SECGEAR_CVM_EMULATION"] = Path.Combine(dir, "vm.json");
        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();

        Assert.Equal(0, process.ExitCode);
        Assert.Contains("confidential-vm  available: configfs-tsm provider sev_guest", output, StringComparison.Ordinal);
        Assert.Contains("configfs-tsm     available: provider sev_guest", output, StringComparison.Ordinal);
        Assert.Contains("auto             -> confidential-vm", output, StringComparison.Ordinal);
    }
}
