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
    /// later go to <paramref name="output"/> (prefixed with the site's name), if given. <paramref name="startTimeout"/>
    /// (default 2 minutes) bounds the wait, data loading included.
    /// </summary>
    public static async Task<LocalSiteProcess> StartAsync(string siteDll, string name, IEnumerable<string> arguments, TextWriter? output = null, CancellationToken cancellationToken = default, TimeSpan? startTimeout = null)
    {
        var (process, lines) = await LocalProcess.StartAsync(siteDll, "site " + name, ["--name", name, "--port", "0", .. arguments], ["spki", "listening"], output, cancellationToken, startTimeout).ConfigureAwait(false);
        return new LocalSiteProcess(process, new SiteEndpoint(name, LocalProcess.Loopback(lines["listening"]), lines["spki"]));
    }

    /// <summary>Kills the site at once (tests: a site dying mid-query) and waits until it is gone.</summary>
    public void Kill()
    {
        LocalProcess.Stop(_process);
        _process.WaitForExit(TimeSpan.FromSeconds(10));
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => LocalProcess.StopAndDisposeAsync(_process);

    /// <summary>The arguments that load site <paramref name="index"/> of <paramref name="sites"/> of the TPC-H-like data set and pin the enclave.</summary>
    public static IEnumerable<string> DataAndPinArguments(long orders, int index, int sites, string measurementHex, string signerHex) =>
    [
        "--orders", orders.ToString(CultureInfo.InvariantCulture),
        "--site-index", index.ToString(CultureInfo.InvariantCulture),
        "--sites", sites.ToString(CultureInfo.InvariantCulture),
        "--measurement", measurementHex,
        "--signer", signerHex,
    ];

    /// <summary>
    /// The arguments that pin the roster file (and, if given, the roster signer's public key) and give the site its key.
    /// </summary>
    public static IEnumerable<string> RosterArguments(string rosterPath, PartyKeys keys, string? rosterSignerPath = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return [
            "--roster", rosterPath,
            .. rosterSignerPath is null ? Array.Empty<string>() : ["--roster-signer", rosterSignerPath],
            "--key", keys.KeyPath, "--certificate", keys.CertificatePath];
    }
}
