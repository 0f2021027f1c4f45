using SecGear.AttestationService.Hosting;

var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    // Loopback by default, also when the binary runs outside its folder (appsettings.json not found); --urls overrides.
    builder.WebHost.UseUrls("http://127.0.0.1:5080");
}

// Until the service has started, a failure is reported once, on one line, below; the generic host would also log it
// with a stack trace ("Hosting failed to start"). After start-up the host's own log is untouched.
bool started = false;
builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", level => level >= LogLevel.Information && (started || level < LogLevel.Error));

WebApplication app;
try
{
    builder.AddAttestationService();
    app = builder.Build();
    await app.InitializeAttestationServiceAsync().ConfigureAwait(false);
    app.MapAttestationService();
    await app.StartAsync().ConfigureAwait(false);
    started = true;
}
#pragma warning disable CA1031 // Any start-up failure is bad configuration or environment: one line and exit 1, never a dump.
// Hosted by WebApplicationFactory (tests), the entry assembly is the test host's: the exception goes to the factory.
catch (Exception ex) when (ex is not HostAbortedException && System.Reflection.Assembly.GetEntryAssembly() == typeof(Program).Assembly)
#pragma warning restore CA1031
{
    Console.Error.WriteLine($"SecGear.AttestationService: cannot start: {ex.Message}");
    return 1;
}

await app.WaitForShutdownAsync().ConfigureAwait(false);
await app.DisposeAsync().ConfigureAwait(false);
return 0;

/// <summary>The attestation service's entry point (partial so tests can host it with WebApplicationFactory).</summary>
public partial class Program;
