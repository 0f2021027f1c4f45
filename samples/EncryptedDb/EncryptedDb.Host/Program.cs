using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using EncryptedDb.Host;
using Microsoft.Extensions.Logging;
using Npgsql;
using SecGear.EncryptedDb;
using SecGear.EncryptedDb.Client;
using SecGear.EncryptedDb.Service;
using SecGear.Images;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;

// EncryptedDb demo: starts the query service (and its enclave) in this process beside PostgreSQL, creates a client
// master key and column keys, creates the retail tables with encrypted columns, loads them (and a plaintext copy),
// inserts a row, shows the raw table as a DBA sees it, then runs every demo query on both and exits 0 only if every
// result matched and ran where it should.
string? connectionString = null;
bool demo = false;
bool keep = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--demo":
            demo = true;
            break;
        case "--keep":
            keep = true;
            break;
        case "--connection" when i + 1 < args.Length:
            connectionString = args[++i];
            break;
        default:
            return Usage($"unknown or incomplete argument '{args[i]}'");
    }
}

connectionString ??= Environment.GetEnvironmentVariable("SECGEAR_TEST_POSTGRES");
if (!demo || connectionString is null)
{
    return Usage(demo ? "no --connection (and SECGEAR_TEST_POSTGRES is not set)" : "only --demo is implemented");
}

string schema = $"encdb_demo_{Environment.ProcessId}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
string plainSchema = schema + "_plain";
NpgsqlConnectionStringBuilder admin;
try
{
    admin = new NpgsqlConnectionStringBuilder(connectionString);
    await using var connection = new NpgsqlConnection(admin.ConnectionString);
    await connection.OpenAsync();
    await Execute(connection, $"CREATE SCHEMA {schema}; CREATE SCHEMA {plainSchema}");
}
catch (Exception ex) when (ex is ArgumentException or NpgsqlException)
{
    // A wrong or unreachable connection is the user's input: one line, no stack trace.
    Console.Error.WriteLine($"EncryptedDb.Host: cannot use the PostgreSQL connection: {ex.Message}");
    return 1;
}

string encryptedCs = new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema }.ConnectionString;
string plainCs = new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = plainSchema }.ConnectionString;
string keyDirectory = Directory.CreateTempSubdirectory("encdb-demo-keys-").FullName;
int exitCode;
try
{
    exitCode = await RunAsync();
}
finally
{
    if (!keep)
    {
        await using var connection = new NpgsqlConnection(admin.ConnectionString);
        await connection.OpenAsync();
        await Execute(connection, $"DROP SCHEMA {schema} CASCADE; DROP SCHEMA {plainSchema} CASCADE");
        Directory.Delete(keyDirectory, recursive: true);
    }
    else
    {
        Console.WriteLine($"kept:         schemas {schema} and {plainSchema}, master key in {keyDirectory}");
    }
}

return exitCode;

async Task<int> RunAsync()
{
    using ILoggerFactory logging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Information));
    await using EncryptedQueryService service = await EncryptedQueryService.StartAsync(
        new QueryServiceOptions { ConnectionString = encryptedCs, LoggerFactory = logging },
        new IPEndPoint(IPAddress.Loopback, 0));

    // The client pins what it built itself: the measurement and signer of the enclave image, and this machine's
    // simulated attestation CA; it never takes the service's word for them.
    var image = EnclaveImage.Load(Path.Combine(AppContext.BaseDirectory, "SecGear.EncryptedDb.Enclave.sgimage"));
    (var verifier, var policy) = EnclaveTrust.Simulation(image.Identity.Measurement.ToArray(), image.Identity.Signer.ToArray(), SimulatedAttestationAuthority.EnsureCaCertificate());
    Console.WriteLine($"service:      {service.EndPoint}, enclave {service.Identity.MeasurementHex[..16]}... on {service.Enclave.EngineName}");
    Console.WriteLine($"pinned:       measurement {Convert.ToHexStringLower(image.Identity.Measurement)[..16]}..., signer {Convert.ToHexStringLower(image.Identity.Signer)[..16]}...");

    await using var client = new EncryptedDbConnection(new EncryptedDbOptions
    {
        ConnectionString = encryptedCs,
        QueryService = service.EndPoint,
        Verifier = verifier,
        EnclavePolicy = policy,
    });
    await client.OpenAsync();

    // 1. Keys: a client master key in a local file, column keys wrapped under it in the catalog.
    string cmkPath = Path.Combine(keyDirectory, "cmk_demo.key");
    // openGauss-style key DDL (EncryptedDbConnection.CreateMasterKeyAsync / CreateColumnKeyAsync do the same).
    await client.CreateCommand($"CREATE CLIENT MASTER KEY cmk_demo WITH (KEY_STORE = file, KEY_PATH = '{cmkPath.Replace("'", "''", StringComparison.Ordinal)}')").ExecuteNonQueryAsync();
    foreach (string cek in DemoDataset.KeyNames)
    {
        await client.CreateCommand($"CREATE COLUMN ENCRYPTION KEY {cek} WITH VALUES (CLIENT_MASTER_KEY = cmk_demo, ALGORITHM = AES_256_GCM)").ExecuteNonQueryAsync();
    }

    Console.WriteLine($"keys:         client master key {cmkPath}; column keys {string.Join(", ", DemoDataset.KeyNames)} (wrapped in encdb_column_keys)");

    // 2. Tables and data: encrypted through the client, and the same rows in plaintext for the reference.
    var data = new DemoDataset();
    var load = Stopwatch.StartNew();
    await using var plain = new NpgsqlConnection(plainCs);
    await plain.OpenAsync();
    foreach ((string name, IReadOnlyList<ColumnDefinition> columns, IReadOnlyList<object?[]> rows) in data.Tables)
    {
        // openGauss-style DDL with ENCRYPTED WITH columns (EncryptedDbConnection.CreateTableAsync does the same).
        string ddl = DemoDataset.EncryptedDdl(name, columns);
        await client.CreateCommand(ddl).ExecuteNonQueryAsync();
        if (name == "orders")
        {
            Console.WriteLine($"table DDL:    {ddl}");
        }

        await client.ImportAsync(name, [.. columns.Select(c => c.Name)], rows);
        await Execute(plain, DemoDataset.PlainDdl(name, columns));
        await using NpgsqlBinaryImporter importer = await plain.BeginBinaryImportAsync($"COPY {name} FROM STDIN (FORMAT BINARY)");
        foreach (object?[] row in rows)
        {
            await importer.WriteRowAsync(default, row.Select(v => v ?? DBNull.Value).ToArray());
        }

        await importer.CompleteAsync();
    }

    Console.WriteLine($"loaded:       {data.RowCount} rows into 4 tables, encrypted and plaintext, in {load.ElapsedMilliseconds} ms");

    // 3. An INSERT with parameters: encrypted on the client.
    var insert = client.CreateCommand("INSERT INTO customers (id, name, email, country, segment, credit_limit, birth_date) VALUES (@id, @name, @email, @country, @segment, @limit, @born)");
    insert.AddParameter("id", 1_000_001L).AddParameter("name", "Hedy Lamarr").AddParameter("email", "hedy.lamarr@example.org").AddParameter("country", "Austria")
        .AddParameter("segment", "enterprise").AddParameter("limit", 48_500.50m).AddParameter("born", new DateOnly(1914, 11, 9));
    await insert.ExecuteNonQueryAsync();
    await Execute(plain, "INSERT INTO customers VALUES (1000001, 'Hedy Lamarr', 'hedy.lamarr@example.org', 'Austria', 'enterprise', 48500.50, DATE '1914-11-09')");
    var lookup = client.CreateCommand("SELECT name, credit_limit, birth_date FROM customers WHERE email = @email").AddParameter("email", "hedy.lamarr@example.org");
    EncryptedDbDataReader found = await lookup.ExecuteReaderAsync();
    bool insertOk = found.Read() && found.GetString(0) == "Hedy Lamarr" && found.GetDecimal(1) == 48_500.50m;
    Console.WriteLine($"insert:       INSERT with parameters, then read back by deterministic e-mail: {(insertOk ? "ok" : "MISMATCH")}");

    // 4. What the database administrator sees.
    Console.WriteLine("DBA view:     SELECT id, name, email, credit_limit FROM customers ORDER BY id LIMIT 3 (psql shows the same bytes)");
    await using (var raw = new NpgsqlCommand("SELECT id, name, email, credit_limit FROM customers ORDER BY id LIMIT 3", client.Database))
    await using (NpgsqlDataReader reader = await raw.ExecuteReaderAsync())
    {
        while (await reader.ReadAsync())
        {
            Console.WriteLine($"              {reader.GetInt64(0),3} | {Hex(reader, 1)} | {Hex(reader, 2)} | {Hex(reader, 3)}");
        }
    }

    // 5. The queries, encrypted against plaintext.
    int failures = insertOk ? 0 : 1;
    IReadOnlyList<DemoQuery> queries = DemoQuery.All(data);
    foreach ((DemoQuery query, int index) in queries.Select((q, i) => (q, i + 1)))
    {
        var watch = Stopwatch.StartNew();
        string status;
        int rows = 0;
        try
        {
            var command = client.CreateCommand(query.Sql);
            EncryptedDbDataReader encrypted = await command.ExecuteReaderAsync();
            double encryptedMs = watch.Elapsed.TotalMilliseconds;
            List<object?[]> reference = await ReadPlainAsync(plain, query.Sql);

            rows = encrypted.Rows.Count;
            bool same = ResultComparer.Same(encrypted.Rows, reference, query.Ordered);
            bool routed = command.LastRoute == query.Route;
            status = same && routed ? $"match    {command.LastRoute,-8} {encryptedMs,8:F1} ms" : $"MISMATCH {command.LastRoute,-8} (expected {query.Route}; results {(same ? "equal" : "differ")})";
            if (!same || !routed)
            {
                failures++;
            }
        }
        catch (EncryptedDbException ex)
        {
            status = $"FAILED   {ex.Code}: {ex.Message}";
            failures++;
        }

        Console.WriteLine($"query {index,2}:     {status} {rows,6} rows  {query.Name}");
    }

    // 6. UPDATE and DELETE with predicates on encrypted columns (through the enclave or PostgreSQL) on both copies;
    //    the changed tables must still agree.
    string[] modifications =
    [
        "UPDATE orders SET priority = 5, status = 'escalated' WHERE total > 990 AND priority < 3",
        "UPDATE orders SET total = 0.5 WHERE status = 'cancelled' AND order_date < DATE '2024-02-01'",
        "DELETE FROM line_items WHERE quantity >= 20 AND unit_price < 5",
        "DELETE FROM orders WHERE status = 'escalated'",
    ];
    foreach (string sql in modifications)
    {
        try
        {
            int encrypted = await client.CreateCommand(sql).ExecuteNonQueryAsync();
            await using var plainCommand = new NpgsqlCommand(sql, plain);
            int reference = await plainCommand.ExecuteNonQueryAsync();
            bool same = encrypted == reference && encrypted > 0;
            failures += same ? 0 : 1;
            Console.WriteLine($"modify:       {(same ? "match   " : "MISMATCH")} {encrypted,6} rows  {sql}{(same ? "" : $" (plaintext: {reference})")}");
        }
        catch (EncryptedDbException ex)
        {
            failures++;
            Console.WriteLine($"modify:       FAILED   {ex.Code}: {ex.Message}  {sql}");
        }
    }

    foreach (string check in new[] { "SELECT id, customer_id, order_date, status, total, priority FROM orders", "SELECT COUNT(*), SUM(quantity), SUM(unit_price), COUNT(note) FROM line_items" })
    {
        EncryptedDbDataReader after = await client.CreateCommand(check).ExecuteReaderAsync();
        bool same = ResultComparer.Same(after.Rows, await ReadPlainAsync(plain, check), ordered: false);
        failures += same ? 0 : 1;
        Console.WriteLine($"after:        {(same ? "match   " : "MISMATCH")} {after.Rows.Count,6} rows  {check}");
    }

    Console.WriteLine(failures == 0
        ? $"result:       all {queries.Count} queries and {modifications.Length} modifications matched the plaintext database"
        : $"result:       {failures} checks FAILED");
    return failures == 0 ? 0 : 1;
}

static string Hex(NpgsqlDataReader reader, int column) =>
    reader.IsDBNull(column) ? "NULL" : "\\x" + Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(column))[..24] + "...";

static async Task<List<object?[]>> ReadPlainAsync(NpgsqlConnection connection, string sql)
{
    var rows = new List<object?[]>();
    await using var command = new NpgsqlCommand(sql, connection);
    await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
    while (await reader.ReadAsync())
    {
        var row = new object?[reader.FieldCount];
        for (int c = 0; c < row.Length; c++)
        {
            row[c] = reader.IsDBNull(c) ? null : reader.GetValue(c);
        }

        rows.Add(row);
    }

    return rows;
}

static async Task Execute(NpgsqlConnection connection, string sql)
{
    await using var command = new NpgsqlCommand(sql, connection);
    await command.ExecuteNonQueryAsync();
}

static int Usage(string problem)
{
    Console.Error.WriteLine(problem);
    Console.Error.WriteLine("usage: EncryptedDb.Host --demo [--connection \"<Npgsql connection string>\"] [--keep]");
    return 64;
}
