using SecGear.CryptoModule.Client;
using SecGear.CryptoModule.Hosting;

namespace SecGear.CryptoModule.Tests;

/// <summary>One running module (simulation engine, SQLite in a temporary directory) shared by a test class, with a tenant.</summary>
public sealed class ModuleFixture : IAsyncLifetime
{
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "secgear-cm-test-" + Guid.NewGuid().ToString("N")[..12]);

    public EmbeddedCryptoModule Module { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public CryptoModuleClient Admin { get; private set; } = null!;

    public CryptoModuleClient Tenant { get; private set; } = null!;

    public string Credential { get; private set; } = null!;

    public static Dictionary<string, string?> Settings => new()
    {
        ["CryptoModule:KeyCacheLifetime"] = "00:00:00",
        ["CryptoModule:MaxInputBytes"] = (4 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public async Task InitializeAsync()
    {
        Module = await EmbeddedCryptoModule.StartAsync(DataDirectory, Settings);
        Http = new HttpClient { BaseAddress = new Uri(Module.Url + "/") };
        Admin = new CryptoModuleClient(Http, adminKey: Module.AdminKey);
        Credential = (await Admin.CreateTenantAsync("tenant-a")).Credential;
        Tenant = new CryptoModuleClient(Http, Credential);
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Module.DisposeAsync();
        TestDirectories.Delete(DataDirectory);
    }
}
