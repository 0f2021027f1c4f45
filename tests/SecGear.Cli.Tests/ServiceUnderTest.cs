extern alias AttestationServiceHost;

using AttestationServiceHost::SecGear.AttestationService.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;

namespace SecGear.Cli.Tests;

/// <summary>
/// The real attestation service on Kestrel at 127.0.0.1 (a free port), with its own SQLite database, admin key and a
/// simulated platform whose CA it trusts; shared by the tests of one class.
/// </summary>
public sealed class ServiceUnderTest : IAsyncLifetime
{
    private WebApplication? _app;

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "secgear-cli-service-" + Guid.NewGuid().ToString("N"));

    public string Url { get; private set; } = string.Empty;

    /// <summary>The platform secret whose simulated CA the service trusts (pass to <c>secgear attest --secret-path</c>).</summary>
    public string PlatformSecret => Path.Combine(Directory, "platform", "platform.secret");

    /// <summary>The file holding the admin API key the service generated.</summary>
    public string AdminKeyFile => Path.Combine(Directory, "data", "admin.key");

    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Path.Combine(Directory, "data"));
        SimulatedAttestationAuthority.EnsureCaCertificate(new SimulatedPlatformOptions { SecretPath = PlatformSecret });
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = Directory, EnvironmentName = "Production", Args = [] });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AttestationService:DataDirectory"] = Path.Combine(Directory, "data"),
            ["AttestationService:SimulationTrustAnchors:0"] = SimulatedAttestationAuthority.CaCertificatePath(PlatformSecret),
        });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.AddAttestationService();
        _app = builder.Build();
        await _app.InitializeAttestationServiceAsync();
        _app.MapAttestationService();
        await _app.StartAsync();
        Url = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
