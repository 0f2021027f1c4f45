using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SecGear.AttestationService.Security;

namespace SecGear.AttestationService.Tests.Service;

/// <summary>The service in process on a data directory of the test's choosing, trusting one simulated CA.</summary>
public sealed class ServiceFactory : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-admin-key-0123456789abcdef";

    private readonly string _dataDirectory;
    private readonly string _caPath;
    private readonly IReadOnlyDictionary<string, string?> _settings;

    public ServiceFactory(string dataDirectory, string caPath, ManualClock? clock = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        _dataDirectory = dataDirectory;
        _caPath = caPath;
        Clock = clock ?? new ManualClock();
        _settings = settings ?? new Dictionary<string, string?>();
    }

    public ManualClock Clock { get; }

    public HttpClient Admin()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add(AttestationServiceRoutes.ApiKeyHeader, AdminKey);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("AttestationService:DataDirectory", _dataDirectory);
        builder.UseSetting("AttestationService:SimulationTrustAnchors:0", _caPath);
        builder.UseSetting("AttestationService:AdminApiKeyHashes:0", AdminAuthenticator.HashKey(AdminKey));
        builder.UseSetting("AttestationService:BusyTimeout", "00:00:00.300");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock)));
    }
}
