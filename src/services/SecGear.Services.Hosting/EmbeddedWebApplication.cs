using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SecGear.Services.Hosting;

/// <summary>
/// A service's web application running inside another process on real Kestrel (by default 127.0.0.1 on a free port).
/// Its data directory is also its content root, so no appsettings.json from elsewhere changes the setup; settings come
/// from the caller. The services' embedded hosts (<c>EmbeddedAttestationService</c>, <c>EmbeddedCryptoModule</c>) are
/// this plus their own registration, initialisation and routes.
/// </summary>
public sealed class EmbeddedWebApplication : IAsyncDisposable
{
    private EmbeddedWebApplication(WebApplication app, string dataDirectory)
    {
        App = app;
        DataDirectory = dataDirectory;
        Url = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
    }

    /// <summary>The running application.</summary>
    public WebApplication App { get; }

    /// <summary>The address it listens on, e.g. <c>http://127.0.0.1:40123</c> (no trailing slash).</summary>
    public string Url { get; }

    /// <summary>The full path of the data directory.</summary>
    public string DataDirectory { get; }

    /// <summary>
    /// Builds and starts the application: the data directory (created if missing) is the content root and the value of
    /// <paramref name="dataDirectorySetting"/>; <paramref name="settings"/> come on top; <paramref name="register"/>
    /// adds the service, <paramref name="initialize"/> prepares it (storage, routes) before Kestrel starts. If any step
    /// fails, the application is disposed and the error rethrown.
    /// </summary>
    public static async Task<EmbeddedWebApplication> StartAsync(
        string dataDirectory,
        string dataDirectorySetting,
        IReadOnlyDictionary<string, string?>? settings,
        LogLevel logLevel,
        string url,
        Action<WebApplicationBuilder> register,
        Func<WebApplication, Task> initialize)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        ArgumentException.ThrowIfNullOrEmpty(dataDirectorySetting);
        ArgumentNullException.ThrowIfNull(register);
        ArgumentNullException.ThrowIfNull(initialize);
        dataDirectory = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(dataDirectory);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = dataDirectory, EnvironmentName = "Production", Args = [] });
        var configuration = new Dictionary<string, string?> { [dataDirectorySetting] = dataDirectory };
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
        register(builder);
        var app = builder.Build();
        try
        {
            await initialize(app).ConfigureAwait(false);
            await app.StartAsync().ConfigureAwait(false);
            return new EmbeddedWebApplication(app, dataDirectory);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops the server and disposes the application (and its services).</summary>
    public async ValueTask DisposeAsync()
    {
        await App.StopAsync().ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
    }
}
