using System.Diagnostics;

namespace SecGear.AttestationService.Tests.Service;

/// <summary>The service started as a process with bad configuration: one line on stderr, exit 1, no stack trace.</summary>
public sealed class StartupErrorTests : IDisposable
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("secgear-startup-").FullName;

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    [Theory]
    [InlineData("--AttestationService:StorageProvider=bogus", "AttestationService:StorageProvider 'bogus' is not sqlite or postgres.")]
    [InlineData("--AttestationService:StorageProvider=postgres", "AttestationService:ConnectionString is not set.")]
    [InlineData("--urls=notaurl", "Invalid url: 'notaurl'")]
    public void Bad_configuration_is_one_line_and_exit_1(string argument, string expected)
    {
        var (code, output, error) = Run(argument, $"--AttestationService:DataDirectory={_dataDirectory}");

        Assert.True(code == 1, $"exit {code}\n{output}\n{error}");
        string line = Assert.Single(error.TrimEnd().Split('\n'));
        Assert.StartsWith("SecGear.AttestationService: cannot start: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output + error, StringComparison.Ordinal);
    }

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "SecGear.AttestationService.dll"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Never the developer's settings: the test states every value that matters.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        using var process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the service kept running with bad configuration");
        }

        return (process.ExitCode, output.Result, error.Result);
    }
}
