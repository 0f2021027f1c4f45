using Microsoft.Playwright;
using SecGear.AttestationService.Hosting;
using SecGear.AttestationService.Tests.Service;

namespace SecGear.AttestationService.Console.Tests;

/// <summary>
/// One service on real Kestrel (127.0.0.1, free port, SQLite in a temporary directory, trusting a simulated CA) and one
/// headless Debian chromium driven by Playwright (no browser download); each test opens its own browser context.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "secgear-console-" + Guid.NewGuid().ToString("N"));
    private IPlaywright? _playwright;

    public SimulatedEnclave Enclave { get; } = new();

    public EmbeddedAttestationService Service { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public string AdminKey { get; private set; } = string.Empty;

    /// <summary>Where screenshots go: <c>SECGEAR_SCREENSHOTS</c>, else <c>screenshots/</c> beside the test assembly.</summary>
    public static string ScreenshotDirectory =>
        Environment.GetEnvironmentVariable("SECGEAR_SCREENSHOTS") is { Length: > 0 } path ? path : Path.Combine(AppContext.BaseDirectory, "screenshots");

    public HttpClient Admin()
    {
        var client = Client();
        client.DefaultRequestHeaders.Add(AttestationServiceRoutes.ApiKeyHeader, AdminKey);
        return client;
    }

    public HttpClient Client() => new() { BaseAddress = new Uri(Service.Url) };

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumFactAttribute.ExecutablePath))
        {
            return;
        }

        Service = await EmbeddedAttestationService.StartAsync(_directory, new Dictionary<string, string?>
        {
            ["AttestationService:SimulationTrustAnchors:0"] = Enclave.CaCertificatePath,
            ["AttestationService:RateLimitPerSecond"] = "0",
        });
        AdminKey = (await File.ReadAllTextAsync(Service.AdminKeyFile)).Trim();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumFactAttribute.ExecutablePath, Headless = true });
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (Service is not null)
        {
            await Service.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Enclave.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
