extern alias AttestationServiceHost;

using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using AttestationServiceHost::SecGear.AttestationService.Hosting;

namespace SecGear.Benchmarks;

/// <summary>
/// A real Kestrel server on 127.0.0.1 (a free port) for the load run: either the attestation service (SQLite in a
/// temporary directory, trusting one simulated CA, rate limiting off so the run measures capacity, not the limiter) or
/// the floor, an app with one empty endpoint.
/// </summary>
internal sealed class ServiceLoadHost : IAsyncDisposable
{
    /// <summary>The empty endpoint of <see cref="StartEmptyAsync"/>.</summary>
    public const string EmptyRoute = "/empty";

    private readonly WebApplication _app;

    private ServiceLoadHost(WebApplication app)
    {
        _app = app;
        Url = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First() + "/";
    }

    public string Url { get; }

    public static async Task<ServiceLoadHost> StartServiceAsync(string dataDirectory, string simulationCaPath)
    {
        Directory.CreateDirectory(dataDirectory);
        var builder = CreateBuilder(dataDirectory);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AttestationService:DataDirectory"] = dataDirectory,
            ["AttestationService:SimulationTrustAnchors:0"] = simulationCaPath,
            ["AttestationService:RateLimitPerSecond"] = "0",
        });
        builder.AddAttestationService();
        var app = builder.Build();
        await app.InitializeAttestationServiceAsync().ConfigureAwait(false);
        app.MapAttestationService();
        await app.StartAsync().ConfigureAwait(false);
        return new ServiceLoadHost(app);
    }

    public static async Task<ServiceLoadHost> StartEmptyAsync(string contentRoot)
    {
        var app = CreateBuilder(contentRoot).Build();
        app.MapPost(EmptyRoute, () => Results.Ok());
        await app.StartAsync().ConfigureAwait(false);
        return new ServiceLoadHost(app);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static WebApplicationBuilder CreateBuilder(string contentRoot)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = contentRoot, EnvironmentName = "Production", Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        return builder;
    }
}
