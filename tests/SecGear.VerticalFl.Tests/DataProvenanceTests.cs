using System.Diagnostics;

namespace SecGear.VerticalFl.Tests;

public sealed class DataProvenanceTests
{
    [DebianToolsFact]
    public async Task Debian_python3_sklearn_package_ships_the_committed_data_set()
    {
        string root = RepositoryRoot.Path;

        string data = Path.Combine(root, "samples", "VerticalFl", "data");
        string output = Path.Combine(Path.GetTempPath(), $"secgear-vfl-data-{Guid.NewGuid():N}");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(data, "fetch-breast-cancer.sh"));
        start.ArgumentList.Add(output);
        using Process process = Process.Start(start)!;
        try
        {
            Task<string> error = process.StandardError.ReadToEndAsync();
            await process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
            Assert.True(process.ExitCode == 0, $"fetch-breast-cancer.sh exited {process.ExitCode}: {await error}");
            Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(data, "breast_cancer.csv")), await File.ReadAllBytesAsync(Path.Combine(output, "breast_cancer.csv")));
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }
}
