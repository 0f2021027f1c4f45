using System.Globalization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using SecGear.FederatedSql;
using SecGear.FederatedSql.Site;
using SecGear.FederatedSql.Site.Engines;

// A federated SQL site: its own engine and data, a gRPC endpoint on 127.0.0.1 (h2c), partial results only to the
// pinned enclave. Prints "listening: URL" and "spki: HEX" (what the coordinator configures the enclave with).
SiteOptions options;
try
{
    options = SiteOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(SiteOptions.Usage);
    return 64;
}

LocalEngine engine = options.Engine == "postgresql"
    ? new PostgresEngine(options.PostgresConnection!, options.PostgresSchema!)
    : new DuckDbEngine(options.DuckDbPath);
if (options.Orders > 0)
{
    await engine.LoadAsync(options.Orders, options.SiteIndex, options.Sites, !options.OrdersOnly, CancellationToken.None);
}

SiteRuntime runtime;
try
{
    var siteIdentity = options.KeyPath is null ? SiteIdentity.Generate(options.Name) : SiteIdentity.Load(options.CertificatePath!, options.KeyPath);
    runtime = new SiteRuntime(options, engine, siteIdentity);
}
catch (Exception ex) when (ex is FederatedSqlException or IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
{
    // A missing or wrong roster, key or CA file: say which, no stack trace.
    Console.Error.WriteLine($"site {options.Name}: cannot start: {ex.Message}");
    await engine.DisposeAsync();
    return 64;
}

await using var _ = runtime;
var identity = runtime.Identity;
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
builder.Logging.SetMinimumLevel(LogLevel.Information);
builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
builder.Logging.AddFilter("Grpc", LogLevel.Warning);
builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, options.Port, l => l.Protocols = HttpProtocols.Http2));
builder.Services.AddSingleton(runtime);
builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = 4 * 1024 * 1024);
await using var app = builder.Build();
app.MapGrpcService<SiteService>();
await app.StartAsync();
string url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
Console.WriteLine($"site {options.Name}: engine {engine.Name}, {options.Orders.ToString(CultureInfo.InvariantCulture)} orders in the data set, site {options.SiteIndex} of {options.Sites}");
Console.WriteLine($"spki: {identity.SpkiSha256}");
Console.WriteLine($"listening: {url}");
await app.WaitForShutdownAsync();
return 0;
