using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace SecGear.AttestationService.Hosting;

/// <summary>
/// The attestation service running inside another process (a sample host, a benchmark, a test) on real Kestrel,
/// by default at 127.0.0.1 on a free port. Its data directory is also its content root, so no appsettings.json from
/// elsewhere changes the setup; <c>AttestationService:*</c> settings come from the caller.
/// </summary>
public sealed class EmbeddedAttestationService : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EmbeddedAttestationService(WebApplication app, string dataDirectory)
    {
        _app = app;
        DataDirectory = dataDirectory;
        Url = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
    }

    /// <summary>The address the service listens on, e.g. <c>http://127.0.0.1:40123</c> (no trailing slash).</summary>
    public string Url { get; }

    /// <summary>The service's data directory (database, master key, generated admin key).</summary>
    public string DataDirectory { get; }

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
        Action<IServiceCollection>? configureServices = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        dataDirectory = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(dataDirectory);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = dataDirectory, EnvironmentName = "Production", Args = [] });
        var configuration = new Dictionary<string, string?> { ["AttestationService:DataDirectory"] = dataDirectory };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        if (logLevel == LogLevel.None)
        {
            builder.Logging.ClearProviders();
        }
        else
        {
            builder.Logging.SetMinimumLevel(logLevel);
        }

        builder.WebHost.UseUrls(url);
        builder.AddAttestationService();
        configureServices?.Invoke(builder.Services);
        var app = builder.Build();
        try
        {
            await app.InitializeAttestationServiceAsync().ConfigureAwait(false);
            app.MapAttestationService();
            await app.StartAsync().ConfigureAwait(false);
            return new EmbeddedAttestationService(app, dataDirectory);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops the server and releases the database.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
