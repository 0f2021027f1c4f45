using SecGear.Services.Hosting;

namespace SecGear.AttestationService.Hosting;

/// <summary>
/// The attestation service running inside another process (a sample host, a benchmark, a test) on real Kestrel,
/// by default at 127.0.0.1 on a free port. Its data directory is also its content root, so no appsettings.json from
/// elsewhere changes the setup; <c>AttestationService:*</c> settings come from the caller.
/// </summary>
public sealed class EmbeddedAttestationService : IAsyncDisposable
{
    private readonly EmbeddedWebApplication _host;

    private EmbeddedAttestationService(EmbeddedWebApplication host) => _host = host;

    /// <summary>The address the service listens on, e.g. <c>http://127.0.0.1:40123</c> (no trailing slash).</summary>
    public string Url => _host.Url;

    /// <summary>The service's data directory (database, master key, generated admin key).</summary>
    public string DataDirectory => _host.DataDirectory;

    /// <summary>The admin API key file the service generates on first start when no key is configured.</summary>
    public string AdminKeyFile => Path.Combine(DataDirectory, "admin.key");

    /// <summary>Starts the service with its data in <paramref name="dataDirectory"/> (created if missing).</summary>
    /// <param name="dataDirectory">The data directory and content root.</param>
    /// <param name="settings">Further configuration keys, e.g. <c>AttestationService:SimulationTrustAnchors:0</c>.</param>
    /// <param name="logLevel">The lowest level logged to the console; <see cref="LogLevel.None"/> logs nothing.</param>
    /// <param name="url">The Kestrel URL to bind.</param>
    /// <param name="configureServices">
    /// Adds to the service's dependency injection before it is built, e.g. an <see cref="SecGear.Attestation.IEvidenceVerifier"/>
    /// that replaces the built-in verifier of its format (<see cref="EvidenceAppraiser"/>).
    /// </param>
    public static async Task<EmbeddedAttestationService> StartAsync(
        string dataDirectory,
        IReadOnlyDictionary<string, string?>? settings = null,
        LogLevel logLevel = LogLevel.None,
        string url = "http://127.0.0.1:0",
        Action<IServiceCollection>? configureServices = null) =>
        new(await EmbeddedWebApplication.StartAsync(
            dataDirectory,
            "AttestationService:DataDirectory",
            settings,
            logLevel,
            url,
            builder =>
            {
                builder.AddAttestationService();
                configureServices?.Invoke(builder.Services);
            },
            async app =>
            {
                await app.InitializeAttestationServiceAsync().ConfigureAwait(false);
                app.MapAttestationService();
            }).ConfigureAwait(false));

    /// <summary>Stops the server and releases the database.</summary>
    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
