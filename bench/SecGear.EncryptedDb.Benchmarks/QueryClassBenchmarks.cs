using BenchmarkDotNet.Attributes;
using EncryptedDb.Host;
using Npgsql;
using SecGear.EncryptedDb.Client;
using SecGear.EncryptedDb.Service;

namespace SecGear.EncryptedDb.Benchmarks;

/// <summary>
/// Each query class on the demo's retail data (125,500 rows), encrypted (client library, query service, enclave)
/// against the same SQL on the plaintext copy in PostgreSQL, in the same run: the ratio column is the price of
/// encryption. Deterministic equality runs in PostgreSQL alone; the others go through the enclave.
/// </summary>
[Config(typeof(BenchConfig))]
public class QueryClassBenchmarks
{
    private static readonly Dictionary<string, string> Queries = new()
    {
        ["equality (deterministic)"] = "SELECT id, name FROM customers WHERE email = 'ada.lovelace42@example.org'",
        ["range (randomized)"] = "SELECT COUNT(*) FROM orders WHERE total BETWEEN 100 AND 200",
        ["IN (randomized)"] = "SELECT COUNT(*) FROM orders WHERE priority IN (1, 5)",
        ["LIKE (randomized)"] = "SELECT COUNT(*) FROM line_items WHERE note LIKE 'fragile%'",
        ["ORDER BY + LIMIT (randomized)"] = "SELECT id, total FROM orders ORDER BY total DESC, id LIMIT 25",
        ["GROUP BY + SUM/AVG (randomized)"] = "SELECT status, SUM(total), AVG(total) FROM orders GROUP BY status ORDER BY status",
        ["join + filter (randomized)"] = "SELECT c.country, SUM(o.total) FROM customers c JOIN orders o ON o.customer_id = c.id WHERE o.priority >= 4 GROUP BY c.country ORDER BY c.country",
    };

    private readonly string _schema = $"encdb_bench_{Environment.ProcessId}";
    private EncryptedQueryService? _service;
    private EncryptedDbConnection? _client;
    private NpgsqlConnection? _plain;
    private string _keyDirectory = string.Empty;

    [ParamsSource(nameof(Classes))]
    public string QueryClass { get; set; } = string.Empty;

    public static IEnumerable<string> Classes => Queries.Keys;

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => CleanupAsync().GetAwaiter().GetResult();

    [Benchmark(Baseline = true)]
    public async Task<int> Plaintext()
    {
        await using var command = new NpgsqlCommand(Queries[QueryClass], _plain);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        int rows = 0;
        while (await reader.ReadAsync())
        {
            rows++;
        }

        return rows;
    }

    [Benchmark]
    public async Task<int> Encrypted() => (await _client!.CreateCommand(Queries[QueryClass]).ExecuteReaderAsync()).Rows.Count;

    private async Task SetupAsync()
    {
        string admin = BenchEnvironment.ConnectionString;
        await Execute(admin, $"DROP SCHEMA IF EXISTS {_schema} CASCADE; DROP SCHEMA IF EXISTS {_schema}_plain CASCADE; CREATE SCHEMA {_schema}; CREATE SCHEMA {_schema}_plain");
        string encrypted = new NpgsqlConnectionStringBuilder(admin) { SearchPath = _schema }.ConnectionString;
        string plain = new NpgsqlConnectionStringBuilder(admin) { SearchPath = _schema + "_plain" }.ConnectionString;
        _service = await BenchEnvironment.StartServiceAsync(encrypted, switchless: true);
        _client = new EncryptedDbConnection(BenchEnvironment.ClientOptions(encrypted, _service));
        await _client.OpenAsync();
        _keyDirectory = Directory.CreateTempSubdirectory("encdb-bench-").FullName;
        await _client.CreateMasterKeyAsync("cmk_bench", Path.Combine(_keyDirectory, "cmk.key"));
        foreach (string cek in DemoDataset.KeyNames)
        {
            await _client.CreateColumnKeyAsync(cek, "cmk_bench");
        }

        _plain = new NpgsqlConnection(plain);
        await _plain.OpenAsync();
        var data = new DemoDataset();
        foreach ((string name, var columns, var rows) in data.Tables)
        {
            await _client.CreateTableAsync(name, "id", columns);
            await _client.ImportAsync(name, [.. columns.Select(c => c.Name)], rows);
            await using (var ddl = new NpgsqlCommand(DemoDataset.PlainDdl(name, columns), _plain))
            {
                await ddl.ExecuteNonQueryAsync();
            }

            await using NpgsqlBinaryImporter importer = await _plain.BeginBinaryImportAsync($"COPY {name} FROM STDIN (FORMAT BINARY)");
            foreach (object?[] row in rows)
            {
                await importer.WriteRowAsync(default, row.Select(v => v ?? DBNull.Value).ToArray());
            }

            await importer.CompleteAsync();
        }

        await Execute(admin, $"ANALYZE {_schema}.orders; ANALYZE {_schema}_plain.orders");
    }

    private async Task CleanupAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        if (_plain is not null)
        {
            await _plain.DisposeAsync();
        }

        if (_service is not null)
        {
            await _service.DisposeAsync();
        }

        await Execute(BenchEnvironment.ConnectionString, $"DROP SCHEMA IF EXISTS {_schema} CASCADE; DROP SCHEMA IF EXISTS {_schema}_plain CASCADE");
        Directory.Delete(_keyDirectory, recursive: true);
    }

    private static async Task Execute(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
