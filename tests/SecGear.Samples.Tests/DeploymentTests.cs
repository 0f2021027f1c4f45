using System.Diagnostics;
using System.Reflection;

namespace SecGear.Samples.Tests;

/// <summary>
/// Apps that host enclaves work from any output folder: <c>dotnet publish -o</c> of a sample host and
/// <c>dotnet build -o</c> of the secgear tool both carry the runner (secgear-runner/) and the enclave image, and run.
/// </summary>
[Collection(DotnetBuildCollection.Name)]
public sealed class DeploymentTests : IDisposable
{
    private static readonly string Configuration =
        RepositoryRoot.Configuration(typeof(DeploymentTests).Assembly);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "secgear-deploy-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void Published_hello_world_host_runs_its_enclave_from_the_publish_folder()
    {
        string output = Path.Combine(_root, "publish");
        Dotnet("publish", Path.Combine(RepositoryRoot.Path, "samples", "HelloWorld", "HelloWorld.Host"), "-c", Configuration, "-o", output);

        Assert.True(File.Exists(Path.Combine(output, "secgear-runner", "SecGear.Runner.dll")));
        Assert.True(File.Exists(Path.Combine(output, "HelloWorld.Enclave.sgimage")));
        var (code, stdout, stderr) = SampleRun.Run(Path.Combine(output, "HelloWorld.Host.dll"));
        Assert.True(code == 0, stderr);
        Assert.Contains("unsealed:    matches the original secret", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Secgear_tool_built_with_an_output_folder_starts_an_enclave()
    {
        string output = Path.Combine(_root, "cli");
        Dotnet("build", Path.Combine(RepositoryRoot.Path, "src", "tools", "SecGear.Cli"), "-c", Configuration, "-o", output);
        string image = Path.Combine(SampleRun.OutputDirectory("HelloWorld", "HelloWorld.Host"), "HelloWorld.Enclave.sgimage");
        string evidence = Path.Combine(_root, "evidence.bin");

        var (code, _, stderr) = SampleRun.Run(
            Path.Combine(output, "secgear.dll"), "attest", "--image", image, "--out", evidence, "--secret-path", Path.Combine(_root, "platform.secret"));

        Assert.True(code == 0, stderr);
        Assert.True(new FileInfo(evidence).Length > 0);
    }

    private static void Dotnet(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (string arg in (string[])["-nodeReuse:false", "-p:UseSharedCompilation=false", "-v:q", "-nologo"])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(4)), $"dotnet {args[0]} did not finish in 4 minutes");
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', args)} failed ({process.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
    }
}
