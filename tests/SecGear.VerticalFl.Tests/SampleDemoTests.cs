using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace SecGear.VerticalFl.Tests;

public sealed partial class SampleDemoTests
{
    [Fact]
    public async Task Demo_trains_with_two_follower_processes_and_ends_with_the_two_result_lines()
    {
        string configuration = RepositoryRoot.Configuration(typeof(SampleDemoTests).Assembly);
        string root = RepositoryRoot.Path;

        string hostDll = Path.Combine(root, "samples", "VerticalFl", "VerticalFl.Host", "bin", configuration, "net10.0", "linux-x64", "VerticalFl.Host.dll");
        string plot = Path.Combine(Path.GetTempPath(), $"secgear-vfl-demo-{Guid.NewGuid():N}.png");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { hostDll, "--demo", "--epochs", "4", "--plot", plot })
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        try
        {
            Task<string> errorRead = process.StandardError.ReadToEndAsync();
            string output = await process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
            string error = await errorRead;
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{output}\n{error}");

            // Redirected output: one plain progress line per epoch and training, no carriage returns.
            Assert.Equal(4, output.Split('\n').Count(l => l.StartsWith("vertical epoch", StringComparison.Ordinal)));
            Assert.DoesNotContain('\r', output);
            string[] lines = output.TrimEnd('\n').Split('\n');
            Assert.Matches(CentralLine(), lines[^2]);
            Assert.Matches(VerticalLine(), lines[^1]);
            Assert.Contains("[A] follower A: finished", error, StringComparison.Ordinal);
            Assert.Contains("[B] follower B: finished", error, StringComparison.Ordinal);
            Assert.True(new FileInfo(plot).Length > 10_000);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            File.Delete(plot);
        }
    }

    [GeneratedRegex(@"^central accuracy 0\.[0-9]{4} auc [01]\.[0-9]{4}$")]
    private static partial Regex CentralLine();

    [GeneratedRegex(@"^vertical accuracy 0\.[0-9]{4} auc [01]\.[0-9]{4}$")]
    private static partial Regex VerticalLine();
}
