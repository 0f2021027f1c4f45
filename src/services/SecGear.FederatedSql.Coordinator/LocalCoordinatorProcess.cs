using System.Diagnostics;

namespace SecGear.FederatedSql.Coordinator;

/// <summary>
/// The coordinator service (<c>SecGear.FederatedSql.CoordinatorService</c>) started as a child process on 127.0.0.1
/// with an ephemeral port (samples, single-machine deployments). Its address is read from the line it prints at start.
/// </summary>
public sealed class LocalCoordinatorProcess : IAsyncDisposable
{
    private readonly Process _process;

    private LocalCoordinatorProcess(Process process, Uri address, string measurement)
    {
        _process = process;
        Address = address;
        Measurement = measurement;
    }

    /// <summary>Where analysts reach it.</summary>
    public Uri Address { get; }

    /// <summary>The measurement of the enclave it started (as it printed it; analysts pin the image's own).</summary>
    public string Measurement { get; }

    /// <summary>The process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Starts <c>dotnet SERVICE_DLL --port 0 ARGUMENTS</c> and waits until it listens.</summary>
    public static async Task<LocalCoordinatorProcess> StartAsync(string serviceDll, IEnumerable<string> arguments, TextWriter? output = null, CancellationToken cancellationToken = default)
    {
        var (process, lines) = await LocalProcess.StartAsync(serviceDll, "coordinator", ["--port", "0", .. arguments], ["measurement", "listening"], output, cancellationToken).ConfigureAwait(false);
        return new LocalCoordinatorProcess(process, LocalProcess.Loopback(lines["listening"]), lines["measurement"]);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => LocalProcess.StopAndDisposeAsync(_process);
}
