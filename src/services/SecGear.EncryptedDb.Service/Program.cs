using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using SecGear.EncryptedDb.Service;

// The query service as a process beside PostgreSQL:
//   dotnet run --project src/services/SecGear.EncryptedDb.Service -- --connection "<Npgsql connection string>" [--port 5090] [--no-switchless]
string? connection = null;
int port = 5090;
bool switchless = true;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--connection" when i + 1 < args.Length:
            connection = args[++i];
            break;
        case "--port" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int p) && p <= 65535:
            port = p;
            i++;
            break;
        case "--no-switchless":
            switchless = false;
            break;
        default:
            Console.Error.WriteLine($"unknown or incomplete argument '{args[i]}'");
            Console.Error.WriteLine("usage: SecGear.EncryptedDb.Service --connection \"<Npgsql connection string>\" [--port N] [--no-switchless]");
            return 64;
    }
}

if (connection is null)
{
    Console.Error.WriteLine("usage: SecGear.EncryptedDb.Service --connection \"<Npgsql connection string>\" [--port N] [--no-switchless]");
    return 64;
}

using ILoggerFactory logging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
await using EncryptedQueryService service = await EncryptedQueryService.StartAsync(
    new QueryServiceOptions { ConnectionString = connection, Switchless = switchless, LoggerFactory = logging },
    new IPEndPoint(IPAddress.Loopback, port));
Console.WriteLine($"listening:   {service.EndPoint}");
Console.WriteLine($"measurement: {service.Identity.MeasurementHex}");
Console.WriteLine($"signer:      {service.Identity.SignerHex}");
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
    // Ctrl+C.
}

return 0;
