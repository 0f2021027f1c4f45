using System.Diagnostics;
using System.Reflection;

namespace SecGear.Samples.Tests;

/// <summary>
/// docs/getting-started.md, "Your first enclave", followed to the letter: its files written into a fresh folder of
/// the repository, built, and run on the simulation and in-process engines; the output must be what the page shows.
/// </summary>
[Collection(DotnetBuildCollection.Name)]
public sealed class GettingStartedTutorialTests : IDisposable
{
    private const string TutorialFolder = "first-enclave/";

    private static readonly string Configuration =
        typeof(GettingStartedTutorialTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    // Same depth as the page's first-enclave/ folder, so its relative imports of build/ and src/ hold.
    private readonly string _folder = Path.Combine(RepositoryRoot.Path, "first-enclave-test-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public void The_tutorial_app_builds_and_prints_what_the_page_shows_on_both_engines()
    {
        string page = DocumentedOutput.Page("getting-started.md");
        Dictionary<string, string> files = DocumentedOutput.Files(page);
        Assert.Contains("first-enclave/notes.edl", files.Keys);
        foreach ((string path, string content) in files.Where(f => f.Key.StartsWith(TutorialFolder, StringComparison.Ordinal)))
        {
            string target = Path.Combine(_folder, path[TutorialFolder.Length..]);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllText(target, content);
        }

        Build(Path.Combine(_folder, "FirstEnclave.Host"));
        string host = Path.Combine(_folder, "FirstEnclave.Host", "bin", Configuration, "net10.0", "FirstEnclave.Host.dll");
        foreach (string engine in new[] { "simulation", "inprocess" })
        {
            var (code, output, error) = SampleRun.Run(host, engine);
            Assert.True(code == 0, $"{engine}: exit {code}\n{output}\n{error}");
            DocumentedOutput.AssertMatches(DocumentedOutput.Block(page, "output", "FirstEnclave.Host " + engine), output);
        }
    }

    private static void Build(string project)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } dotnet ? dotnet : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in new[] { "build", project, "-c", Configuration, "-nologo" })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("dotnet build of the tutorial did not finish within 10 minutes");
        }

        Assert.True(process.ExitCode == 0, $"dotnet build of the tutorial failed:\n{output.Result}\n{error.Result}");
    }
}
