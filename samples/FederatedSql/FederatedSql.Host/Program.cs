using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using DuckDB.NET.Data;
using FederatedSql.Host;
using SecGear.Attestation;
using SecGear.Attestation.Simulation;
using SecGear.FederatedSql;
using SecGear.FederatedSql.Client;
using SecGear.FederatedSql.Coordinator;
using SecGear.FederatedSql.Planning;
using SecGear.FederatedSql.Results;
using SecGear.FederatedSql.Site.Engines;
using SecGear.Images;
using SecGear.SecureChannel;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;

// FederatedSql demo: sites A, B and C as separate processes on 127.0.0.1, each holding a different part of a TPC-H-like
// data set in its own DuckDB and pinning the federation's roster; site A's coordinator service (its own process, with
// the aggregation enclave); and analyst "analyst", who queries through it and receives each answer only inside its
// own attested channel into the enclave. Every answer is checked against the same query over the union of the data in
// one DuckDB; exit 0 only if all matched (and the refused queries were refused). --record FILE makes the coordinator
// service write every byte its host relayed.
if (!args.Contains("--demo"))
{
    Console.Error.WriteLine("usage: FederatedSql.Host --demo [--orders N] [--k K] [--record FILE]");
    return 64;
}

long orders = Option("--orders", 20_000);
int k = (int)Option("--k", 3);
string? recordPath = args.SkipWhile(a => a != "--record").Skip(1).FirstOrDefault();
string imagePath = Path.Combine(AppContext.BaseDirectory, "SecGear.FederatedSql.Enclave.sgimage");
string siteDll = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "SecGear.FederatedSql.Site.path")).Trim();
string coordinatorDll = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "SecGear.FederatedSql.CoordinatorService.path")).Trim();
var identity = EnclaveImage.Load(imagePath).Identity;
SimulatedAttestationAuthority.EnsureCaCertificate();
string ca = SimulatedAttestationAuthority.CaCertificatePath(SimulatedPlatformOptions.DefaultSecretPath);
Console.WriteLine($"enclave image: measurement {identity.MeasurementHex}, signer {identity.SignerHex}");
Console.WriteLine($"data set:      {orders} orders (TPC-H-like), split over sites A, B, C; disclosure k = {k}");

string[] names = ["A", "B", "C"];
var sites = new List<LocalSiteProcess>();
LocalCoordinatorProcess? service = null;
var keys = Directory.CreateTempSubdirectory("fedsql-demo-");
try
{
    // Keys first: the roster pins every site's and the analyst's public key, and every site pins the roster.
    var roster = LocalRoster.Create(keys.FullName, names, ["analyst"], minGroupRowsFloor: k);
    Console.WriteLine($"roster:        {roster.Path}: sites {string.Join(", ", names)}, analyst 'analyst', k floor {k}, version {roster.Config.Version}, signed by the roster signer every site pins ({roster.SignerPublicKeyPath})");
    foreach (var (name, index) in names.Select((n, i) => (n, i)))
    {
        var arguments = LocalSiteProcess.DataAndPinArguments(orders, index, names.Length, identity.MeasurementHex, identity.SignerHex)
            .Concat(["--ca", ca]).Concat(roster.SiteArguments(name));
        sites.Add(await LocalSiteProcess.StartAsync(siteDll, name, arguments, Console.Out));
        Console.WriteLine($"site {name}:        pid {sites[^1].ProcessId}, {sites[^1].Endpoint.Address}, certificate key {sites[^1].Endpoint.SpkiSha256[..16]}...");
    }

    string[] serviceArguments = ["--roster", roster.Path, "--image", imagePath, .. sites.SelectMany(s => new[] { "--site", $"{s.Endpoint.Name}={s.Endpoint.Address}" }), .. recordPath is null ? Array.Empty<string>() : ["--record", Path.GetFullPath(recordPath)]];
    service = await LocalCoordinatorProcess.StartAsync(coordinatorDll, serviceArguments, Console.Out);
    Console.WriteLine($"coordinator:   pid {service.ProcessId}, {service.Address}, enclave measurement {service.Measurement[..16]}...");

    // The analyst trusts this machine's simulated CA and pins the enclave image's measurement and signer.
    var verifier = new AttestationVerifier();
    verifier.Register(new SimulationEvidenceVerifier(TrustAnchors.FromFingerprints([]).Add(X509CertificateLoader.LoadCertificateFromFile(ca).RawData)));
    var analystKeys = roster.Analysts["analyst"];
    using var client = new FederatedSqlClient(new FederatedSqlClientOptions
    {
        Address = service.Address,
        Analyst = "analyst",
        Credential = ClientCredential.FromCertificate(X509Certificate2.CreateFromPemFile(analystKeys.CertificatePath, analystKeys.KeyPath)),
        Verifier = verifier,
        Policy = new AttestationPolicy { AllowSimulation = true, AllowedUniqueIds = [identity.Measurement], AllowedSignerIds = [identity.Signer] },
    });

    using var reference = new DuckDBConnection("Data Source=:memory:");
    reference.Open();
    await DuckDbEngine.LoadInto(reference, orders, null, names.Length);

    int failures = 0;
    foreach (string sql in DemoQueries.All)
    {
        var plan = QueryPlanner.Plan(sql, FederationCatalog.TpchLike, k);
        var watch = Stopwatch.StartNew();
        QueryResult result;
        try
        {
            result = await client.QueryAsync(sql, k);
        }
        catch (FederatedSqlException ex)
        {
            Console.WriteLine($"query:   {sql}");
            Console.WriteLine($"check:   FAILED: {ex.Code}: {ex.Message}");
            failures++;
            continue;
        }

        double ms = watch.Elapsed.TotalMilliseconds;
        var expected = Reference(reference, plan.ReferenceSql);
        string? difference = ResultComparison.Difference(result.Rows, expected, ordered: plan.OrderBy.Count > 0);
        Console.WriteLine();
        Console.WriteLine($"query:   {string.Join(' ', sql.Split((char[])['\n', '\r'], StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()))}");
        Console.WriteLine($"answer:  {result.Rows.Count} rows, {result.SuppressedGroups} groups withheld (k = {k}), {ms.ToString("F0", CultureInfo.InvariantCulture)} ms");
        foreach (var row in result.Rows.Take(4))
        {
            Console.WriteLine("         " + string.Join(" | ", row.Select(Show)));
        }

        Console.WriteLine(difference is null ? "check:   MATCHES the same query over the union of the data in one DuckDB" : $"check:   MISMATCH: {difference}");
        failures += difference is null ? 0 : 1;
    }

    foreach (string sql in DemoQueries.Refused)
    {
        Console.WriteLine();
        Console.WriteLine($"query:   {sql}");
        try
        {
            await client.QueryAsync(sql, k);
            Console.WriteLine("check:   NOT REFUSED, but it is outside the subset");
            failures++;
        }
        catch (FederatedSqlException ex) when (ex.Code is FederatedSqlFailureCode.OutsideSubset or FederatedSqlFailureCode.Syntax)
        {
            Console.WriteLine($"refused: {ex.Code}: {ex.Message}");
        }
    }

    Console.WriteLine();
    Console.WriteLine(failures == 0 ? $"demo: all {DemoQueries.All.Count} answers matched and {DemoQueries.Refused.Count} queries were refused" : $"demo: {failures} checks FAILED");
    return failures == 0 ? 0 : 1;
}
finally
{
    if (service is not null)
    {
        await service.DisposeAsync();
    }

    foreach (var site in sites)
    {
        await site.DisposeAsync();
    }

    keys.Delete(recursive: true);
}

long Option(string name, long fallback)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? long.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}

static List<object?[]> Reference(DuckDBConnection connection, string sql)
{
    using var command = connection.CreateCommand();
    command.CommandText = sql;
    using var reader = command.ExecuteReader();
    var rows = new List<object?[]>();
    while (reader.Read())
    {
        var row = new object?[reader.FieldCount];
        for (int i = 0; i < row.Length; i++)
        {
            row[i] = LocalEngine.Normalize(reader.IsDBNull(i) ? null : reader.GetValue(i));
        }

        rows.Add(row);
    }

    return rows;
}

static string Show(object? value) => value switch
{
    null => "NULL",
    IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
    _ => value.ToString() ?? string.Empty,
};
