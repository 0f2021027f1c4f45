using SecGear.AttestationService.Hosting;

var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    // Loopback by default, also when the binary runs outside its folder (appsettings.json not found); --urls overrides.
    builder.WebHost.UseUrls("http://127.0.0.1:5080");
}

builder.AddAttestationService();
var app = builder.Build();
await app.InitializeAttestationServiceAsync().ConfigureAwait(false);
app.MapAttestationService();
await app.RunAsync().ConfigureAwait(false);

/// <summary>The attestation service's entry point (partial so tests can host it with WebApplicationFactory).</summary>
public partial class Program;
