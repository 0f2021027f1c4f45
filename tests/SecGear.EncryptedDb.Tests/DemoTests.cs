using System.Diagnostics;
using System.Reflection;

namespace SecGear.EncryptedDb.Tests;

public sealed class DemoTests
{
    [PostgresFact]
    public async Task The_sample_demo_runs_every_query_and_all_match_plaintext_postgresql()
    {
        string configuration = RepositoryRoot.Configuration(typeof(DemoTests).Assembly);
        string root = RepositoryRoot.Path;

        string dll = Path.Combine(root, "samples", "EncryptedDb", "EncryptedDb.Host", "bin", configuration, "net10.0", "EncryptedDb.Host.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { dll, "--demo", "--connection", PostgresFactAttribute.ConnectionString })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        string text = await output;
        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{text}\n{await error}");
        Assert.Contains("loaded:       125500 rows", text, StringComparison.Ordinal);
        Assert.Contains("table DDL:    CREATE TABLE orders (id bigint PRIMARY KEY, ", text, StringComparison.Ordinal);
        Assert.Contains("ENCRYPTED WITH (COLUMN_ENCRYPTION_KEY = cek_orders, ENCRYPTION_TYPE = RANDOMIZED)", text, StringComparison.Ordinal);
        Assert.Contains("insert:       INSERT with parameters, then read back by deterministic e-mail: ok", text, StringComparison.Ordinal);
        Assert.Contains("result:       all 32 queries and 4 modifications matched the plaintext database", text, StringComparison.Ordinal);
        Assert.Equal(32, text.Split('\n').Count(l => l.StartsWith("query ", StringComparison.Ordinal) && l.Contains(" match ", StringComparison.Ordinal)));
        Assert.Equal(4, text.Split('\n').Count(l => l.StartsWith("modify:       match", StringComparison.Ordinal)));
        Assert.Contains("|", text.Split('\n').First(l => l.Contains("\\x0102", StringComparison.Ordinal)), StringComparison.Ordinal);
    }
}
