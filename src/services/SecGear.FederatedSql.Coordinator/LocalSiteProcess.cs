using System.Diagnostics;
using System.Globalization;

namespace SecGear.FederatedSql.Coordinator;

/// <summary>
/// A site service started as a child process on 127.0.0.1 with an ephemeral port (samples, tests, single-machine
/// deployments). Its address and certificate pin are read from the lines it prints at start.
/// </summary>
public sealed class LocalSiteProcess : IAsyncDisposable
{
    private readonly Process _process;

    private LocalSiteProcess(Process process, SiteEndpoint endpoint)
    {
        _process = process;
        Endpoint = endpoint;
    }

    /// <summary>The site as the coordinator reaches it.</summary>
    public SiteEndpoint Endpoint { get; }

    /// <summary>The process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>
    /// Starts <c>dotnet SITE_DLL --name NAME --port 0 ARGUMENTS</c> and waits until it listens. Lines the site prints
    /// later go to <paramref name="output"/> (prefixed with the site's name), if given.
    /// </summary>
    public static async Task<LocalSiteProcess> StartAsync(string siteDll, string name, IEnumerable<string> arguments, TextWriter? output = null, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(siteDll);
        start.ArgumentList.Add("--name");
        start.ArgumentList.Add(name);
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add("0");
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start site {name}");
        var ready = new TaskCompletionSource<(string Url, string Spki)>(TaskCreationOptions.RunContinuationsAsynchronously);
        string? spki = null;
        var errors = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } line)
            {
                ready.TrySetException(new InvalidOperationException($"site {name} exited before it listened: {errors}"));
                return;
            }

            if (line.StartsWith("spki: ", StringComparison.Ordinal))
            {
                spki = line[6..].Trim();
            }
            else if (line.StartsWith("listening: ", StringComparison.Ordinal) && spki is not null)
            {
                ready.TrySetResult((line[11..].Trim(), spki));
            }

            output?.WriteLine($"site {name} | {line}");
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                lock (errors)
                {
                    errors.AppendLine(line);
                }

                output?.WriteLine($"site {name} ! {line}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var (url, pin) = await ready.Task.WaitAsync(TimeSpan.FromMinutes(2), cancellationToken).ConfigureAwait(false);
            return new LocalSiteProcess(process, new SiteEndpoint(name, new Uri(url.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal), UriKind.Absolute), pin));
        }
        catch
        {
            Stop(process);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Kills the site at once (tests: a site dying mid-query).</summary>
    public void Kill() => Stop(_process);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Stop(_process);
        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    private static void Stop(Process process)
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

    /// <summary>The arguments that load site <paramref name="index"/> of <paramref name="sites"/> of the TPC-H-like data set and pin the enclave.</summary>
    public static IEnumerable<string> DataAndPinArguments(long orders, int index, int sites, string measurementHex, string signerHex) =>
    [
        "--orders", orders.ToString(CultureInfo.InvariantCulture),
        "--site-index", index.ToString(CultureInfo.InvariantCulture),
        "--sites", sites.ToString(CultureInfo.InvariantCulture),
        "--measurement", measurementHex,
        "--signer", signerHex,
    ];
}
