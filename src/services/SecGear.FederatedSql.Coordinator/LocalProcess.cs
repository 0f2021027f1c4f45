using System.Diagnostics;
using System.Text;

namespace SecGear.FederatedSql.Coordinator;

/// <summary>
/// Starts a service dll (<c>dotnet DLL ARGS</c>) as a child process and waits for the "key: value" lines it prints once
/// it listens (site service, coordinator service). Later lines go to an optional writer, prefixed with the label.
/// </summary>
internal static class LocalProcess
{
    public static async Task<(Process Process, Dictionary<string, string> Lines)> StartAsync(string dll, string label, IEnumerable<string> arguments, IReadOnlyList<string> keys, TextWriter? output, CancellationToken cancellationToken, TimeSpan? startTimeout = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {label}");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var lines = new Dictionary<string, string>(StringComparer.Ordinal);
        var errors = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } line)
            {
                // Standard error may still be arriving: WaitForExit() returns once both streams reached their end.
                _ = Task.Run(() =>
                {
                    process.WaitForExit();
                    lock (errors)
                    {
                        ready.TrySetException(new InvalidOperationException($"{label} exited before it listened: {errors.ToString().Trim()}"));
                    }
                });
                return;
            }

            int colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon > 0 && keys.Contains(line[..colon]))
            {
                lock (lines)
                {
                    lines[line[..colon]] = line[(colon + 2)..].Trim();
                    if (keys.All(lines.ContainsKey))
                    {
                        ready.TrySetResult();
                    }
                }
            }

            output?.WriteLine($"{label} | {line}");
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (errors)
                {
                    errors.AppendLine(line);
                }

                output?.WriteLine($"{label} ! {line}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(startTimeout ?? TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
            lock (lines)
            {
                return (process, new Dictionary<string, string>(lines, StringComparer.Ordinal));
            }
        }
        catch
        {
            Stop(process);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Kestrel may report [::1]; the processes listen on 127.0.0.1.</summary>
    public static Uri Loopback(string url) => new(url.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal), UriKind.Absolute);

    public static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public static async ValueTask StopAndDisposeAsync(Process process)
    {
        Stop(process);
        await process.WaitForExitAsync().ConfigureAwait(false);
        process.Dispose();
    }
}
