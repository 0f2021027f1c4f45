using System.Diagnostics;
using System.Reflection;

namespace SecGear.Samples.Tests;

/// <summary>Starts a built sample host (same configuration as the tests) and captures what it prints.</summary>
internal static class SampleRun
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static string OutputDirectory(string sample, string project)
    {
        string configuration = RepositoryRoot.Configuration(typeof(SampleRun).Assembly);
        return Path.Combine(RepositoryRoot.Path, "samples", sample, project, "bin", configuration, "net10.0");
    }

    public static (int ExitCode, string Output, string Error) Run(string hostDll, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(hostDll);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Path.GetFileName(hostDll)} did not exit within {Timeout}.");
        }

        return (process.ExitCode, output.Result, error.Result);
    }
}
