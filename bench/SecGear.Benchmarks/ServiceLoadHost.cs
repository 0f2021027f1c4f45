using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SecGear.Benchmarks;

/// <summary>
/// The floor of the load run: a real Kestrel server on 127.0.0.1 (a free port) with one empty endpoint and nothing
/// else. (The service itself runs as <c>EmbeddedAttestationService</c>.)
/// </summary>
internal sealed class ServiceLoadHost : IAsyncDisposable
{
    /// <summary>The empty endpoint.</summary>
    public const string EmptyRoute = "/empty";

    private readonly WebApplication _app;

    private ServiceLoadHost(WebApplication app)
    {
        _app = app;
        Url = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First() + "/";
    }

    public string Url { get; }

    public static async Task<ServiceLoadHost> StartEmptyAsync(string contentRoot)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = contentRoot, EnvironmentName = "Production", Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost(EmptyRoute, () => Results.Ok());
        await app.StartAsync().ConfigureAwait(false);
        return new ServiceLoadHost(app);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
