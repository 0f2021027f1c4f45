using SecGear.FederatedSql;
using SecGear.FederatedSql.Coordinator;
using SecGear.FederatedSql.CoordinatorService;
using SecGear.FederatedSql.Protocol;

// The federated SQL coordinator at site A as a service (docs/federated-sql.md, "Coordinator service"): analysts query
// over gRPC and fetch answers inside their own attested channels. Prints "measurement: HEX", "roster: HEX" and
// "listening: URL"; the host's log (plans, relayed frame types and sizes, never values) goes to standard output.
CoordinatorServiceOptions options;
FederationConfig roster;
try
{
    options = CoordinatorServiceOptions.Parse(args);
    roster = FederationRoster.Parse(File.ReadAllBytes(options.RosterPath));
    var missing = roster.Sites.Select(s => s.Name).Where(n => !options.Sites.ContainsKey(n)).ToList();
    if (missing.Count > 0 || options.Sites.Count != roster.Sites.Count)
    {
        throw new ArgumentException($"--site must give the address of every site of the roster, and only those (missing: {string.Join(", ", missing)})");
    }
}
catch (Exception ex) when (ex is ArgumentException or IOException or FederatedSqlException)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(CoordinatorServiceOptions.Usage);
    return 64;
}

using var record = options.RecordPath is null ? null : new FileStream(options.RecordPath, FileMode.Append, FileAccess.Write);
var recordGate = new Lock();
var log = TextWriter.Synchronized(Console.Out);
CoordinatorServiceHost host;
try
{
    host = await CoordinatorServiceHost.StartAsync(
        new CoordinatorOptions
        {
            ImagePath = options.ImagePath,
            Sites = roster.Sites.Select(s => new SiteEndpoint(s.Name, options.Sites[s.Name], s.SpkiSha256)).ToList(),
            Roster = roster,
            SiteTimeout = options.SiteTimeout,
            Log = log,
            Relay = record is null ? null : frame =>
            {
                lock (recordGate)
                {
                    record.Write(frame.Frame);
                    record.Flush();
                }

                return frame.Frame;
            },
        },
        options.Port,
        logging => logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information).AddFilter("Microsoft", LogLevel.Warning).AddFilter("Grpc", LogLevel.Warning));
}
catch (FederatedSqlException ex)
{
    Console.Error.WriteLine($"{ex.Code}: {ex.Message}");
    return 1;
}

await using (host)
{
    log.WriteLine($"measurement: {host.Coordinator.Identity.MeasurementHex}");
    log.WriteLine($"roster: {FederationRoster.Digest(roster)}");
    log.WriteLine($"listening: {host.Address}");
    await host.WaitForShutdownAsync();
}

return 0;
