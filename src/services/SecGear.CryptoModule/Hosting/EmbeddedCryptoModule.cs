using SecGear.Services.Hosting;

namespace SecGear.CryptoModule.Hosting;

/// <summary>
/// The crypto module running inside another process (a sample, a benchmark, a test) on real Kestrel, by default at
/// 127.0.0.1 on a free port, with its data in a given directory. <c>CryptoModule:*</c> settings come from the caller.
/// </summary>
public sealed class EmbeddedCryptoModule : IAsyncDisposable
{
    private readonly EmbeddedWebApplication _host;

    private EmbeddedCryptoModule(EmbeddedWebApplication host) => _host = host;

    /// <summary>The address the module listens on (no trailing slash).</summary>
    public string Url => _host.Url;

    /// <summary>The data directory.</summary>
    public string DataDirectory => _host.DataDirectory;

    /// <summary>The generated administrator key.</summary>
    public string AdminKey => File.ReadAllText(Path.Combine(DataDirectory, "admin.key")).Trim();

    /// <summary>The application's services (tests reach the store and the enclave through it).</summary>
    public IServiceProvider Services => _host.App.Services;

    /// <summary>Starts the module.</summary>
    public static async Task<EmbeddedCryptoModule> StartAsync(
        string dataDirectory, IReadOnlyDictionary<string, string?>? settings = null, LogLevel logLevel = LogLevel.None, string url = "http://127.0.0.1:0") =>
        new(await EmbeddedWebApplication.StartAsync(
            dataDirectory,
            "CryptoModule:DataDirectory",
            settings,
            logLevel,
            url,
            builder => builder.AddCryptoModule(),
            async app =>
            {
                await app.InitializeCryptoModuleAsync().ConfigureAwait(false);
                app.MapCryptoModule();
            }).ConfigureAwait(false));

    /// <summary>Stops the server, flushes the audit queue and destroys the enclave.</summary>
    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
