using System.Globalization;
using Npgsql;
using SecGear.EncryptedDb.Client;

namespace SecGear.EncryptedDb.Tests;

/// <summary>
/// DISTINCT, HAVING, UPDATE and DELETE on the encrypted <c>accounts</c> table against the same statements on a
/// plaintext copy (<c>accounts_plain</c>, same schema and rows) in the same PostgreSQL. Runs on its own fixture (own
/// schema and service) because it changes the table.
/// </summary>
public sealed class WriteAndGroupingTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>, IAsyncLifetime
{
    private const string Everything = "SELECT id, owner, iban, city, balance, note, opened FROM accounts";

    private EncryptedDbConnection Client => fixture.Client!;

    public async Task InitializeAsync()
    {
        if (!fixture.Available)
        {
            return;
        }

        // A fresh plaintext copy per test: tests change rows, and xUnit makes one instance per test.
        await Plain("DROP TABLE IF EXISTS accounts_plain; CREATE TABLE accounts_plain (id bigint PRIMARY KEY, owner text, iban text, city text, balance numeric, note text, opened date)");
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using NpgsqlBinaryImporter importer = await connection.BeginBinaryImportAsync("COPY accounts_plain FROM STDIN (FORMAT BINARY)");
        foreach (object?[] row in await Encrypted(Everything))
        {
            await importer.WriteRowAsync(default, row.Select(v => v ?? DBNull.Value).ToArray());
        }

        await importer.CompleteAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [PostgresFact]
    public async Task Distinct_and_having_give_the_results_of_plaintext_postgresql_on_both_routes()
    {
        (string Sql, QueryRoute Route)[] queries =
        [
            ("SELECT DISTINCT city FROM accounts", QueryRoute.Database),
            ("SELECT DISTINCT iban FROM accounts WHERE id < 20", QueryRoute.Database),
            ("SELECT DISTINCT city, note FROM accounts WHERE id < 60", QueryRoute.Enclave),
            ("SELECT DISTINCT opened FROM accounts WHERE balance BETWEEN 100 AND 400", QueryRoute.Enclave),
            ("SELECT city, COUNT(*) FROM accounts GROUP BY city HAVING COUNT(*) > 133", QueryRoute.Database),
            ("SELECT city, SUM(balance) FROM accounts GROUP BY city HAVING SUM(balance) > 274000 ORDER BY city", QueryRoute.Enclave),
            ("SELECT city FROM accounts GROUP BY city HAVING MAX(balance) < 4100 OR city = 'Lima'", QueryRoute.Enclave),
            ("SELECT city, COUNT(note) FROM accounts WHERE balance > 1000 GROUP BY city HAVING MIN(owner) >= 'Owner-Zqx0100' AND COUNT(*) BETWEEN 80 AND 100", QueryRoute.Enclave),
            ("SELECT COUNT(*) FROM accounts HAVING COUNT(*) > 1000", QueryRoute.Database),
            ("SELECT COUNT(*) FROM accounts WHERE balance > 0 HAVING COUNT(*) > 10", QueryRoute.Enclave),
        ];
        foreach ((string sql, QueryRoute route) in queries)
        {
            var command = Client.CreateCommand(sql);
            EncryptedDbDataReader reader = await command.ExecuteReaderAsync();
            Assert.True(route == command.LastRoute, $"{sql}: ran in {command.LastRoute}, expected {route}");
            AssertSameRows(await PlainRows(sql), reader.Rows, sql);
        }
    }

    [PostgresFact]
    public async Task Update_and_delete_with_predicates_on_encrypted_columns_change_exactly_the_rows_plaintext_postgresql_changes()
    {
        (string Sql, bool Enclave)[] statements =
        [
            ("UPDATE accounts SET note = 'changed-note', city = 'Rome' WHERE balance BETWEEN 100 AND 300", true),
            ($"UPDATE accounts SET iban = 'DE-NEW-1', balance = 2.5 WHERE iban = '{ServiceFixture.Iban(77)}'", false),
            ("UPDATE accounts SET balance = 1.5, opened = DATE '2030-01-02' WHERE owner LIKE '%00_7-Marker' AND city <> 'Oslo'", true),
            ("UPDATE accounts SET city = 'Bern' WHERE city = 'Pune' AND id > 390", false),
            ("UPDATE accounts SET note = NULL, iban = NULL WHERE id IN (5, 6)", false),
            ("UPDATE accounts SET owner = 'nobody' WHERE balance > 1000000", true),
            ("DELETE FROM accounts WHERE balance > 4000", true),
            ($"DELETE FROM accounts WHERE iban = '{ServiceFixture.Iban(10)}'", false),
            ("DELETE FROM accounts WHERE note IS NULL AND id < 30", false),
            ("DELETE FROM accounts WHERE note LIKE '%quokka-2_' OR owner = 'Owner-Zqx0300-Marker'", true),
        ];
        foreach ((string sql, bool _) in statements)
        {
            int encrypted = await Client.CreateCommand(sql).ExecuteNonQueryAsync();
            int plain = await Plain(sql.Replace("UPDATE accounts", "UPDATE accounts_plain", StringComparison.Ordinal).Replace("FROM accounts", "FROM accounts_plain", StringComparison.Ordinal));
            Assert.True(plain == encrypted, $"{sql}: {encrypted} rows changed, plaintext PostgreSQL changed {plain}");
            Assert.True(plain > 0 || sql.Contains("1000000", StringComparison.Ordinal), $"{sql} should change rows");
            AssertSameRows(await PlainRows(Everything), await Encrypted(Everything), sql);
        }

        // The rows read back through both routes (row tags and randomized cells were rewritten for their rows).
        Assert.Equal(await PlainRows("SELECT COUNT(*) FROM accounts WHERE iban = 'DE-NEW-1'"), await Encrypted("SELECT COUNT(*) FROM accounts WHERE iban = 'DE-NEW-1'"));
        AssertSameRows(await PlainRows("SELECT id, iban, note FROM accounts WHERE balance < 3 AND city <> 'Lima'"), await Encrypted("SELECT id, iban, note FROM accounts WHERE balance < 3 AND city <> 'Lima'"), "read back");
    }

    [PostgresFact]
    public async Task A_failed_update_or_delete_changes_nothing()
    {
        string before = await Fingerprint();

        // The DBA corrupts one randomized cell: the enclave refuses the UPDATE's candidate rows, and nothing is written
        // (the rows were locked in the client's transaction, which is rolled back).
        await Plain("UPDATE accounts SET balance = (SELECT balance FROM accounts WHERE id = 2) WHERE id = 1");
        string tampered = await Fingerprint();
        var update = await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("UPDATE accounts SET note = 'lost?' WHERE balance > 0").ExecuteNonQueryAsync());
        Assert.Equal(EncryptedDbFailureCode.IntegrityFailure, update.Code);
        Assert.Equal(tampered, await Fingerprint());
        var delete = await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("DELETE FROM accounts WHERE balance < 100").ExecuteNonQueryAsync());
        Assert.Equal(EncryptedDbFailureCode.IntegrityFailure, delete.Code);
        Assert.Equal(tampered, await Fingerprint());

        // A value of the wrong type fails before anything is written.
        Assert.Equal(EncryptedDbFailureCode.InvalidQuery, (await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("UPDATE accounts SET balance = 'x' WHERE id = 3").ExecuteNonQueryAsync())).Code);
        Assert.Equal(tampered, await Fingerprint());

        // Repaired by the client (it re-encrypts the cell for row 1), the same UPDATE goes through.
        Assert.Equal(1, await Client.CreateCommand("UPDATE accounts SET balance = @b WHERE id = 1").AddParameter("b", ServiceFixture.Balance(1)).ExecuteNonQueryAsync());
        Assert.NotEqual(before, await Fingerprint());
        Assert.Equal(ServiceFixture.Balance(1), await Client.CreateCommand("SELECT balance FROM accounts WHERE id = 1 AND balance > 0").ExecuteScalarAsync());
    }

    [PostgresFact]
    public async Task Concurrent_updates_of_overlapping_rows_through_the_enclave_lose_no_write()
    {
        // Three clients update different columns of overlapping row sets (chosen by the enclave on a randomized
        // column), each three times, all at once. Each statement locks its rows before the enclave decides and writes
        // in the same transaction, so the writers serialize on the shared rows and none overwrites another's column.
        string[] statements =
        [
            "UPDATE accounts SET note = 'writer-1' WHERE balance BETWEEN 1000 AND 3000",
            "UPDATE accounts SET owner = 'writer-2' WHERE balance BETWEEN 2000 AND 4000",
            "UPDATE accounts SET iban = 'writer-3' WHERE balance BETWEEN 1500 AND 3500",
        ];
        var writers = new List<EncryptedDbConnection>();
        try
        {
            foreach (string _ in statements)
            {
                EncryptedDbConnection writer = fixture.Connect(fixture.Measurement);
                writers.Add(writer);
                await writer.OpenAsync();
            }

            await Task.WhenAll(statements.Select(async (sql, i) =>
            {
                for (int round = 0; round < 3; round++)
                {
                    Assert.True(await writers[i].CreateCommand(sql).ExecuteNonQueryAsync() > 0, sql);
                }
            }));
        }
        finally
        {
            foreach (EncryptedDbConnection writer in writers)
            {
                await writer.DisposeAsync();
            }
        }

        foreach (string sql in statements)
        {
            await Plain(sql.Replace("UPDATE accounts", "UPDATE accounts_plain", StringComparison.Ordinal));
        }

        AssertSameRows(await PlainRows(Everything), await Encrypted(Everything), "after the concurrent writers");
    }

    [PostgresFact]
    public async Task Enclave_update_and_delete_write_only_rows_they_locked_when_a_concurrent_writer_commits_in_between()
    {
        await using EncryptedDbConnection writer = fixture.Connect(fixture.Measurement);
        await writer.OpenAsync();
        try
        {
            // Between the DELETE's lock and the query service's read of the candidates, another client commits a new
            // row that matches. The enclave sees it, but the statement did not lock it: it must stay.
            Client.AfterRowsLocked = async ct =>
            {
                Client.AfterRowsLocked = null;
                await writer.CreateCommand("INSERT INTO accounts (id, owner, iban, city, balance, note, opened) VALUES (9001, 'late', 'DE-LATE', 'Oslo', 7000000, 'late', DATE '2026-01-01')").ExecuteNonQueryAsync(ct);
            };
            Assert.Equal(0, await Client.CreateCommand("DELETE FROM accounts WHERE balance > 6000000").ExecuteNonQueryAsync());
            Assert.Equal(1L, await Client.CreateCommand("SELECT COUNT(*) FROM accounts WHERE balance > 6000000").ExecuteScalarAsync());

            // The same for an UPDATE whose pushed-down part (city) an unlocked row comes to match after the lock.
            Client.AfterRowsLocked = async ct =>
            {
                Client.AfterRowsLocked = null;
                await writer.CreateCommand("UPDATE accounts SET city = 'Bern-late' WHERE id = 9001").ExecuteNonQueryAsync(ct);
            };
            Assert.Equal(0, await Client.CreateCommand("UPDATE accounts SET note = 'swept' WHERE city = 'Bern-late' AND balance > 6000000").ExecuteNonQueryAsync());
            Assert.Equal("late", await Client.CreateCommand("SELECT note FROM accounts WHERE id = 9001").ExecuteScalarAsync());

            // Without a concurrent writer, the row is matched and written as usual.
            Assert.Equal(1, await Client.CreateCommand("UPDATE accounts SET note = 'swept' WHERE city = 'Bern-late' AND balance > 6000000").ExecuteNonQueryAsync());
            Assert.Equal(1, await Client.CreateCommand("DELETE FROM accounts WHERE balance > 6000000").ExecuteNonQueryAsync());
        }
        finally
        {
            Client.AfterRowsLocked = null;
        }
    }

    private static void AssertSameRows(List<object?[]> expected, IReadOnlyList<object?[]> actual, string what)
    {
        static string Key(object?[] row) => string.Join("|", row.Select(v => v switch
        {
            null => "NULL",
            decimal d => ValueCodec.Format(decimal.Round(d, 12)),
            int i => ((long)i).ToString(CultureInfo.InvariantCulture),
            _ => ValueCodec.Format(v),
        }));
        List<string> e = [.. expected.Select(Key).Order(StringComparer.Ordinal)];
        List<string> a = [.. actual.Select(Key).Order(StringComparer.Ordinal)];
        Assert.True(e.SequenceEqual(a), $"{what}: {a.Count} rows, plaintext PostgreSQL gave {e.Count}; first difference: {e.Except(a).Concat(a.Except(e)).FirstOrDefault()}");
    }

    private async Task<List<object?[]>> Encrypted(string sql) => [.. (await Client.CreateCommand(sql).ExecuteReaderAsync()).Rows];

    private async Task<List<object?[]>> PlainRows(string sql)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql.Replace("FROM accounts", "FROM accounts_plain", StringComparison.Ordinal), connection);
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync())
        {
            var row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetDataTypeName(i) == "date" ? reader.GetFieldValue<DateOnly>(i) : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    private async Task<int> Plain(string sql)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteNonQueryAsync();
    }

    // Every stored byte of the encrypted table, as the DBA sees it.
    private async Task<string> Fingerprint()
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM accounts t", connection);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
