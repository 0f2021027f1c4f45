using Microsoft.Data.Sqlite;
using SecGear.CryptoModule.Storage;

namespace SecGear.CryptoModule.Tests;

/// <summary>The audit table's use count: written and read back, and added to stores created before it existed.</summary>
public sealed class AuditStoreTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "secgear-cm-audit-" + Guid.NewGuid().ToString("N")[..12]);

    public AuditStoreTests() => Directory.CreateDirectory(_directory);

    public void Dispose() => TestDirectories.Delete(_directory);

    [Fact]
    public async Task A_store_from_before_use_counts_gets_the_column_and_its_old_records_count_one_use_each()
    {
        string path = Path.Combine(_directory, "old.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, at BIGINT NOT NULL, tenant TEXT NOT NULL, key_id TEXT,
                    version INTEGER, operation TEXT NOT NULL, outcome TEXT NOT NULL);
                INSERT INTO audit (at, tenant, key_id, version, operation, outcome) VALUES (1, 't', 'k', 1, 'sign', 'ok');
                """;
            command.ExecuteNonQuery();
        }

        var store = KeyStore.Sqlite(path);
        await store.InitializeAsync();
        await store.InitializeAsync();
        await store.AppendAuditAsync([new AuditEntry(0, DateTimeOffset.UtcNow, "t", "k", 1, "sign", "ok", 250)]);

        var records = await store.ListAuditAsync("t", 10);
        Assert.Equal([250L, 1L], records.Select(r => r.Uses));
        SqliteConnection.ClearAllPools();
    }
}
