using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace SecGear.CryptoModule.Hosting;

/// <summary>
/// The crypto module running inside another process (a sample, a benchmark, a test) on real Kestrel, by default at
/// 127.0.0.1 on a free port, with its data in a given directory. <c>CryptoModule:*</c> settings come from the caller.
/// </summary>
public sealed class EmbeddedCryptoModule : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EmbeddedCryptoModule(WebApplication app, string dataDirectory)
    {
        _app = app;
        DataDirectory = dataDirectory;
        Url = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
    }

    /// <summary>The address the module listens on (no trailing slash).</summary>
    public string Url { get; }

    /// <summary>The data directory.</summary>
    public string DataDirectory { get; }

    /// <summary>The generated administrator key.</summary>
    public string AdminKey => File.ReadAllText(Path.Combine(DataDirectory, "admin.key")).Trim();

    /// <summary>The application's services (tests reach the store and the enclave through it).</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Starts the module.</summary>
    public static async Task<EmbeddedCryptoModule> StartAsync(
        string dataDirectory, IReadOnlyDictionary<string, string?>? settings = null, LogLevel logLevel = LogLevel.None, string url = "http://127.0.0.1:0")
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        dataDirectory = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(dataDirectory);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = dataDirectory, EnvironmentName = "Production", Args = [] });
        var configuration = new Dictionary<string, string?> { ["CryptoModule:DataDirectory"] = dataDirectory };
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
        builder.AddCryptoModule();
        var app = builder.Build();
        try
        {
            await app.InitializeCryptoModuleAsync().ConfigureAwait(false);
            app.MapCryptoModule();
            await app.StartAsync().ConfigureAwait(false);
            return new EmbeddedCryptoModule(app, dataDirectory);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops the server, flushes the audit queue and destroys the enclave.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
