using SecGear.AttestationService.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddAttestationService();
var app = builder.Build();
await app.InitializeAttestationServiceAsync().ConfigureAwait(false);
app.MapAttestationService();
await app.RunAsync().ConfigureAwait(false);

/// <summary>The attestation service's entry point (partial so tests can host it with WebApplicationFactory).</summary>
public partial class Program;
