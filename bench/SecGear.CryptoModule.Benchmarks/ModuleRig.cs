using System.Net;
using SecGear.CryptoModule.Client;
using SecGear.CryptoModule.Hosting;

namespace SecGear.CryptoModule.Benchmarks;

/// <summary>A module on Kestrel (switchless or regular ECALLs) with a tenant and the benchmark keys.</summary>
internal sealed class ModuleRig : IAsyncDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "secgear-cm-bench-" + Guid.NewGuid().ToString("N")[..8]);

    private ModuleRig(EmbeddedCryptoModule module, HttpClient http, CryptoModuleClient client, CryptoModuleChannel channel)
    {
        Module = module;
        Http = http;
        Client = client;
        Channel = channel;
    }

    public EmbeddedCryptoModule Module { get; }

    public HttpClient Http { get; }

    public CryptoModuleClient Client { get; }

    /// <summary>The binary transport of the same tenant.</summary>
    public CryptoModuleChannel Channel { get; }

    public static async Task<ModuleRig> StartAsync(bool switchless)
    {
        string directory = Path.Combine(Path.GetTempPath(), "secgear-cm-bench-" + Guid.NewGuid().ToString("N")[..8]);
        var module = await EmbeddedCryptoModule.StartAsync(directory, new Dictionary<string, string?>
        {
            ["CryptoModule:Switchless"] = switchless ? "true" : "false",
            ["CryptoModule:KeyCacheLifetime"] = "00:01:00",
        });
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            BaseAddress = new Uri(module.Url + "/"),
            DefaultRequestVersion = HttpVersion.Version11,
        };
        string credential = (await new CryptoModuleClient(http, adminKey: module.AdminKey).CreateTenantAsync("bench")).Credential;
        var client = new CryptoModuleClient(http, credential);
        await client.CreateKeyAsync(KeySpec.EcP256, KeyUsage.Sign, "ec");
        await client.CreateKeyAsync(KeySpec.Sm2, KeyUsage.Sign, "sm2");
        await client.CreateKeyAsync(KeySpec.Aes256, KeyUsage.Encrypt, "aes");
        await client.CreateKeyAsync(KeySpec.Sm4, KeyUsage.Encrypt, "sm4");
        return new ModuleRig(module, http, client, await client.OpenChannelAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await Channel.DisposeAsync();
        Http.Dispose();
        await Module.DisposeAsync();
        try
        {
            Directory.Delete(Module.DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Left behind in the temporary directory.
        }
    }
}
