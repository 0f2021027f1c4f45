extern alias AttestationServiceHost;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using AttestationServiceHost::SecGear.AttestationService.Hosting;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;

namespace KeyBroker.Host;

/// <summary>
/// The attestation service run inside this process on 127.0.0.1 (a free port), with its SQLite database, master key
/// and admin key in <see cref="DataDirectory"/>, trusting this machine's simulated attestation CA.
/// </summary>
internal sealed class InProcessService : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessService(WebApplication app, string url, string dataDirectory)
    {
        _app = app;
        Url = url;
        DataDirectory = dataDirectory;
    }

    public string Url { get; }

    public string DataDirectory { get; }

    /// <summary>The admin API key file the service generated on first start.</summary>
    public string AdminKeyFile => Path.Combine(DataDirectory, "admin.key");

    public static async Task<InProcessService> StartAsync(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        SimulatedAttestationAuthority.EnsureCaCertificate();
        string caPath = SimulatedAttestationAuthority.CaCertificatePath(new SimulatedPlatformOptions().SecretPath);
        // The content root is the data directory so no appsettings.json from elsewhere changes the setup.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = dataDirectory, EnvironmentName = "Production", Args = [] });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AttestationService:DataDirectory"] = dataDirectory,
            ["AttestationService:SimulationTrustAnchors:0"] = caPath,
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddAttestationService();
        var app = builder.Build();
        try
        {
            await app.InitializeAttestationServiceAsync().ConfigureAwait(false);
            app.MapAttestationService();
            await app.StartAsync().ConfigureAwait(false);
            string url = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            return new InProcessService(app, url, dataDirectory);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
