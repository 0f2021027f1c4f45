using SecGear.CryptoModule.Hosting;

var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]))
{
    // Loopback by default; --urls overrides.
    builder.WebHost.UseUrls("http://127.0.0.1:5090");
}

builder.AddCryptoModule();
var app = builder.Build();
await app.InitializeCryptoModuleAsync().ConfigureAwait(false);
app.MapCryptoModule();
await app.RunAsync().ConfigureAwait(false);

/// <summary>The crypto module's entry point (partial so tests can host it with WebApplicationFactory).</summary>
public partial class Program;
