using System.Diagnostics;
using System.Text;
using Npgsql;
using SecGear.EncryptedDb.Client;

namespace SecGear.EncryptedDb.Tests;

public sealed class EncryptedDbServiceTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    // Six or more bytes each: a shorter marker could turn up by chance in the random bytes of the ciphertexts.
    private static readonly string[] Markers = ["Owner-Zqx", "Marker", "IBAN-ZQ", "quokka"];

    private EncryptedDbConnection Client => fixture.Client!;

    [PostgresFact]
    public async Task Range_like_order_and_aggregates_on_randomized_columns_run_in_the_enclave_and_match_the_data()
    {
        var ids = Enumerable.Range(1, ServiceFixture.Rows).ToList();

        var range = Client.CreateCommand("SELECT id, owner, balance FROM accounts WHERE balance BETWEEN @low AND @high AND city = 'Oslo' ORDER BY balance DESC")
            .AddParameter("low", 500m).AddParameter("high", 2000m);
        EncryptedDbDataReader rows = await range.ExecuteReaderAsync();
        Assert.Equal(QueryRoute.Enclave, range.LastRoute);
        var expected = ids.Where(i => i % 3 == 0 && ServiceFixture.Balance(i) is >= 500m and <= 2000m).OrderByDescending(ServiceFixture.Balance).ToList();
        Assert.Equal(expected.Select(i => (object?)(long)i), rows.Rows.Select(r => r[0]));
        Assert.Equal(expected.Select(ServiceFixture.Owner), rows.Rows.Select(r => (string)r[1]!));

        var like = Client.CreateCommand("SELECT COUNT(*), COUNT(note), MIN(owner), MAX(balance), SUM(balance) FROM accounts WHERE note LIKE '%quokka-1_' OR note IS NULL");
        object?[] row = Assert.Single((await like.ExecuteReaderAsync()).Rows);
        var matching = ids.Where(i => ServiceFixture.Note(i) is null || (ServiceFixture.Note(i)!.StartsWith("secret-note-quokka-1", StringComparison.Ordinal) && ServiceFixture.Note(i)!.Length == "secret-note-quokka-1".Length + 1)).ToList();
        Assert.Equal((long)matching.Count, row[0]);
        Assert.Equal((long)matching.Count(i => ServiceFixture.Note(i) is not null), row[1]);
        Assert.Equal(matching.Select(ServiceFixture.Owner).Min(StringComparer.Ordinal), row[2]);
        Assert.Equal(matching.Max(ServiceFixture.Balance), row[3]);
        Assert.Equal(matching.Sum(ServiceFixture.Balance), row[4]);

        var grouped = Client.CreateCommand("SELECT city, COUNT(*), AVG(balance) FROM accounts WHERE balance > 1000 GROUP BY city ORDER BY city");
        EncryptedDbDataReader groups = await grouped.ExecuteReaderAsync();
        Assert.Equal(["Lima", "Oslo", "Pune"], groups.Rows.Select(r => (string)r[0]!));
        foreach (object?[] g in groups.Rows)
        {
            var members = ids.Where(i => new[] { "Oslo", "Lima", "Pune" }[i % 3] == (string)g[0]! && ServiceFixture.Balance(i) > 1000).ToList();
            Assert.Equal((long)members.Count, g[1]);
            Assert.Equal(members.Sum(ServiceFixture.Balance) / members.Count, g[2]);
        }
    }

    [PostgresFact]
    public async Task Deterministic_equality_runs_in_postgresql_and_results_are_decrypted_transparently()
    {
        var command = Client.CreateCommand("SELECT owner, balance, note, opened FROM accounts WHERE iban = @iban").AddParameter("iban", ServiceFixture.Iban(7));
        EncryptedDbDataReader reader = await command.ExecuteReaderAsync();
        Assert.Equal(QueryRoute.Database, command.LastRoute);
        Assert.True(reader.Read());
        Assert.Equal(ServiceFixture.Owner(7), reader.GetString(0));
        Assert.Equal(ServiceFixture.Balance(7), reader.GetDecimal(1));
        Assert.Equal(ServiceFixture.Note(7), reader.GetString(2));
        Assert.Equal(new DateOnly(2024, 1, 8), reader.GetFieldValue<DateOnly>(3));
        Assert.False(reader.Read());

        var inList = Client.CreateCommand($"SELECT COUNT(*) FROM accounts WHERE iban IN ('{ServiceFixture.Iban(1)}', '{ServiceFixture.Iban(2)}', 'nobody')");
        Assert.Equal(2L, await inList.ExecuteScalarAsync());
        Assert.Equal(QueryRoute.Database, inList.LastRoute);
    }

    [PostgresFact(needsPsql: true)]
    public async Task Dba_with_psql_sees_only_ciphertext()
    {
        var cs = new NpgsqlConnectionStringBuilder(fixture.ConnectionString);
        var psql = new ProcessStartInfo("psql") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "-h", cs.Host!, "-p", cs.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", cs.Username!, "-d", cs.Database!, "-A", "-c", $"SELECT * FROM {fixture.Schema}.accounts ORDER BY id" })
        {
            psql.ArgumentList.Add(arg);
        }

        psql.Environment["PGPASSWORD"] = cs.Password;
        using var process = Process.Start(psql)!;
        string output = await process.StandardOutput.ReadToEndAsync();
        string error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, error);
        Assert.Contains($"({ServiceFixture.Rows} rows)", output);
        Assert.Contains("|\\x0102", output, StringComparison.Ordinal);
        Assert.Contains("|\\x0101", output, StringComparison.Ordinal);
        Assert.Contains("|Oslo|", output, StringComparison.Ordinal);
        foreach (string marker in Markers)
        {
            Assert.DoesNotContain(marker, output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(ServiceFixture.Balance(7).ToString(System.Globalization.CultureInfo.InvariantCulture), output, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task Service_log_and_enclave_traffic_hold_no_plaintext_value_and_no_key()
    {
        // Queries whose constants name encrypted values: they travel inside the channel, never in the candidate SQL.
        await Client.CreateCommand("SELECT owner FROM accounts WHERE owner LIKE 'Owner-Zqx000%' ORDER BY owner").ExecuteReaderAsync();
        await Client.CreateCommand("SELECT id FROM accounts WHERE note = 'secret-note-quokka-10'").ExecuteReaderAsync();
        await Client.CreateCommand($"SELECT id, note FROM accounts WHERE iban = '{ServiceFixture.Iban(5)}'").ExecuteReaderAsync();

        byte[] all = [.. fixture.Traffic.SelectMany(t => t.Bytes)];
        Assert.Contains(fixture.Traffic, t => t.Label.StartsWith("batch", StringComparison.Ordinal));
        Assert.Contains(fixture.Traffic, t => t.Label.StartsWith("result", StringComparison.Ordinal));
        string log = string.Join('\n', fixture.LogLines);
        Assert.Contains("candidate SQL", log, StringComparison.Ordinal);
        foreach (string marker in Markers)
        {
            byte[] needle = Encoding.UTF8.GetBytes(marker);
            var holders = fixture.Traffic.Where(t => t.Bytes.AsSpan().IndexOf(needle) >= 0).Select(t => $"{t.Label}: {Convert.ToHexStringLower(t.Bytes.AsSpan(0, Math.Min(64, t.Bytes.Length)))}").ToList();
            Assert.True(holders.Count == 0, $"'{marker}' in: {string.Join("; ", holders)}");
            Assert.DoesNotContain(marker, log, StringComparison.Ordinal);
        }

        for (int id = 1; id <= 20; id++)
        {
            Assert.Equal(-1, all.AsSpan().IndexOf(ValueCodec.Encode(ServiceFixture.Balance(id))));
        }

        // The column key itself: unwrap it here with the master key, then look for it everywhere the service was.
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand("SELECT wrapped FROM encdb_column_keys WHERE name = 'cek_accounts'", connection);
        byte[] wrapped = (byte[])(await read.ExecuteScalarAsync())!;
        byte[] cek = ColumnKeyWrap.Unwrap(File.ReadAllBytes(Path.Combine(fixture.KeyDirectory, "cmk.key")), wrapped, "cek_accounts", "cmk_test");
        Assert.Equal(-1, all.AsSpan().IndexOf(cek));
        Assert.Equal(-1, wrapped.AsSpan().IndexOf(cek));
        Assert.DoesNotContain(Convert.ToHexStringLower(cek), log, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(cek), log, StringComparison.Ordinal);
    }

    [PostgresFact]
    public async Task Client_pinning_another_measurement_refuses_to_send_keys()
    {
        int before = fixture.Traffic.Count;
        byte[] other = new byte[32];
        other[0] = 0xab;
        await using var client = fixture.Connect(other);
        await client.OpenAsync();
        var ex = await Assert.ThrowsAsync<EncryptedDbException>(() => client.CreateCommand("SELECT COUNT(*) FROM accounts WHERE balance > 10").ExecuteReaderAsync());
        Assert.Equal(EncryptedDbFailureCode.EnclaveRejected, ex.Code);
        Assert.Contains("no key was sent", ex.Message, StringComparison.Ordinal);

        // The enclave saw a ClientHello and answered with its evidence; the client sent nothing after (no ClientKey, no record).
        var sent = fixture.Traffic.Skip(before).Where(t => t.Label == "channel client -> enclave").ToList();
        Assert.NotEmpty(sent);
        Assert.All(sent, t => Assert.Equal(1, t.Bytes[0]));
    }

    [PostgresFact]
    public async Task Ciphertexts_moved_between_rows_or_altered_are_detected_never_decrypted()
    {
        await Client.CreateTableAsync("swaps", "id",
        [
            new ColumnDefinition("id", DbValueType.Int64),
            new ColumnDefinition("secret", DbValueType.Text, EncryptionType.Randomized, "cek_accounts"),
            new ColumnDefinition("tag", DbValueType.Text, EncryptionType.Deterministic, "cek_accounts"),
            new ColumnDefinition("other_tag", DbValueType.Text, EncryptionType.Deterministic, "cek_accounts"),
        ]);
        await Client.ImportAsync("swaps", ["id", "secret", "tag", "other_tag"], [[1L, "one", "t1", "o1"], [2L, "two", "t2", "o2"], [3L, "three", "t3", "o3"]]);
        Assert.Equal(3L, await Client.CreateCommand("SELECT COUNT(*) FROM swaps WHERE secret >= 'o'").ExecuteScalarAsync());

        // The DBA moves row 2's ciphertext into row 1.
        await Raw("UPDATE swaps SET secret = (SELECT secret FROM swaps WHERE id = 2) WHERE id = 1");
        var inEnclave = await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("SELECT COUNT(*) FROM swaps WHERE secret >= 'o'").ExecuteReaderAsync());
        Assert.Equal(EncryptedDbFailureCode.IntegrityFailure, inEnclave.Code);
        Assert.Contains("swaps.secret", inEnclave.Message, StringComparison.Ordinal);
        var onClient = await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("SELECT secret FROM swaps WHERE tag = 't1'").ExecuteReaderAsync());
        Assert.Equal(EncryptedDbFailureCode.IntegrityFailure, onClient.Code);
        Assert.DoesNotContain("two", onClient.Message, StringComparison.Ordinal);

        // One flipped bit in row 3's ciphertext.
        await Raw("UPDATE swaps SET secret = set_byte(secret, 20, get_byte(secret, 20) # 1) WHERE id = 3");
        Assert.Equal(EncryptedDbFailureCode.IntegrityFailure, (await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("SELECT secret FROM swaps WHERE id = 3").ExecuteReaderAsync())).Code);

        // A deterministic ciphertext moved to another column.
        await Raw("UPDATE swaps SET other_tag = tag WHERE id = 2");
        Assert.Equal(EncryptedDbFailureCode.IntegrityFailure, (await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("SELECT other_tag FROM swaps WHERE id = 2").ExecuteReaderAsync())).Code);

        // The connection still works for intact rows.
        Assert.Equal("o3", await Client.CreateCommand("SELECT other_tag FROM swaps WHERE id = 3").ExecuteScalarAsync());
    }

    [PostgresFact]
    public async Task Deterministic_cells_swapped_between_rows_are_detected_by_their_row_tags()
    {
        await Client.CreateTableAsync("dswaps", "id",
        [
            new ColumnDefinition("id", DbValueType.Int64),
            new ColumnDefinition("secret", DbValueType.Text, EncryptionType.Randomized, "cek_accounts"),
            new ColumnDefinition("tag", DbValueType.Text, EncryptionType.Deterministic, "cek_accounts"),
            new ColumnDefinition("other", DbValueType.Text, EncryptionType.Deterministic, "cek_accounts"),
        ]);
        await Client.ImportAsync("dswaps", ["id", "secret", "tag", "other"], [[1L, "one", "t1", "o1"], [2L, "two", "t2", "o2"], [3L, "three", "t3", "o3"], [4L, "four", "t4", null]]);
        Assert.Equal("t1", await Client.CreateCommand("SELECT tag FROM dswaps WHERE secret = 'one'").ExecuteScalarAsync());

        // The DBA swaps the deterministic cells of rows 1 and 2: equality still "works" in PostgreSQL, but each cell's
        // row tag binds it to its row, so the client (direct route) and the enclave (enclave route) refuse the rows.
        await Raw("UPDATE dswaps s SET tag = o.tag FROM dswaps o WHERE (s.id, o.id) IN ((1, 2), (2, 1))");
        var returned = await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("SELECT id, tag FROM dswaps WHERE id = 1").ExecuteReaderAsync());
        Assert.Equal(EncryptedDbFailureCode.IntegrityFailure, returned.Code);
        Assert.Contains("dswaps.tag", returned.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("t2", returned.Message, StringComparison.Ordinal);
        var matched = await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("SELECT secret FROM dswaps WHERE tag = 't2'").ExecuteReaderAsync());
        Assert.Equal(EncryptedDbFailureCode.IntegrityFailure, matched.Code);
        var inEnclave = await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("SELECT id, secret FROM dswaps WHERE secret >= 'a' AND tag = 't2'").ExecuteReaderAsync());
        Assert.Equal(EncryptedDbFailureCode.IntegrityFailure, inEnclave.Code);
        Assert.Contains("dswaps.tag", inEnclave.Message, StringComparison.Ordinal);

        // Swapping the row tags along with the cells does not help: the tags are bound to the row id.
        await Raw("UPDATE dswaps s SET encdb_tags = o.encdb_tags FROM dswaps o WHERE (s.id, o.id) IN ((1, 2), (2, 1))");
        Assert.Equal(EncryptedDbFailureCode.IntegrityFailure, (await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("SELECT id, tag FROM dswaps WHERE id = 2").ExecuteReaderAsync())).Code);

        // Nulling a cell, or giving a NULL cell a value from another row, is detected too.
        await Raw("UPDATE dswaps SET other = NULL WHERE id = 3");
        Assert.Equal(EncryptedDbFailureCode.IntegrityFailure, (await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("SELECT other FROM dswaps WHERE id = 3").ExecuteReaderAsync())).Code);
        await Raw("UPDATE dswaps SET other = (SELECT other FROM dswaps WHERE id = 1) WHERE id = 4");
        Assert.Equal(EncryptedDbFailureCode.IntegrityFailure, (await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("SELECT COUNT(*) FROM dswaps WHERE secret = 'four' AND other = 'o1'").ExecuteReaderAsync())).Code);

        // The client's own UPDATE rewrites cell and tag together, so the repaired rows read back.
        Assert.Equal(2, await Client.CreateCommand("UPDATE dswaps SET tag = 'fixed' WHERE id IN (1, 2)").ExecuteNonQueryAsync());
        Assert.Equal(2L, await Client.CreateCommand("SELECT COUNT(*) FROM dswaps WHERE tag = 'fixed' AND secret >= 'a'").ExecuteScalarAsync());
    }

    [PostgresFact]
    public async Task Statements_outside_the_subset_get_typed_errors_and_the_connection_keeps_working()
    {
        Assert.Equal(EncryptedDbFailureCode.UnsupportedSql, (await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("UPDATE accounts SET balance = balance + 1").ExecuteNonQueryAsync())).Code);
        Assert.Equal(EncryptedDbFailureCode.UnsupportedSql, (await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("UPDATE accounts SET id = 7 WHERE id = 1").ExecuteNonQueryAsync())).Code);
        Assert.Equal(EncryptedDbFailureCode.UnsupportedSql, (await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("SELECT DISTINCT city, COUNT(*) FROM accounts GROUP BY city").ExecuteReaderAsync())).Code);
        Assert.Equal(EncryptedDbFailureCode.InvalidQuery, (await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("SELECT city FROM accounts GROUP BY city HAVING owner = 'x'").ExecuteReaderAsync())).Code);
        Assert.Equal(EncryptedDbFailureCode.InvalidQuery, (await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("SELECT nope FROM accounts").ExecuteReaderAsync())).Code);
        Assert.Equal(EncryptedDbFailureCode.InvalidQuery, (await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("SELECT owner, COUNT(*) FROM accounts").ExecuteReaderAsync())).Code);
        Assert.Equal(EncryptedDbFailureCode.InvalidQuery, (await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("SELECT id FROM accounts WHERE balance > 'x'").ExecuteReaderAsync())).Code);
        Assert.Equal(EncryptedDbFailureCode.UnsupportedSql, (await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("SELECT a.id FROM accounts a JOIN accounts b ON a.owner = b.owner").ExecuteReaderAsync())).Code);
        Assert.Equal(EncryptedDbFailureCode.UnsupportedSql, (await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("SELECT id FROM accounts ORDER BY balance").ExecuteReaderAsync())).Code);
        Assert.Equal((long)ServiceFixture.Rows, await Client.CreateCommand("SELECT COUNT(*) FROM accounts WHERE balance > 0").ExecuteScalarAsync());
    }

    [PostgresFact]
    public async Task Insert_encrypts_parameters_and_the_row_is_queryable_by_both_routes()
    {
        await Client.CreateTableAsync("inserts", "id",
        [
            new ColumnDefinition("id", DbValueType.Int64),
            new ColumnDefinition("who", DbValueType.Text, EncryptionType.Deterministic, "cek_accounts"),
            new ColumnDefinition("amount", DbValueType.Numeric, EncryptionType.Randomized, "cek_accounts"),
        ]);
        int written = await Client.CreateCommand("INSERT INTO inserts (id, who, amount) VALUES (@id, @who, @amount), (2, 'bob', 7)")
            .AddParameter("id", 1).AddParameter("who", "alice").AddParameter("amount", 12.5m).ExecuteNonQueryAsync();
        Assert.Equal(2, written);
        Assert.Equal(12.5m, await Client.CreateCommand("SELECT amount FROM inserts WHERE who = 'alice'").ExecuteScalarAsync());
        Assert.Equal("bob", await Client.CreateCommand("SELECT who FROM inserts WHERE amount < 10").ExecuteScalarAsync());
    }

    [PostgresFact]
    public async Task A_column_key_does_not_unwrap_under_another_master_key_or_name()
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand("SELECT wrapped FROM encdb_column_keys WHERE name = 'cek_accounts'", connection);
        byte[] wrapped = (byte[])(await read.ExecuteScalarAsync())!;
        byte[] master = File.ReadAllBytes(Path.Combine(fixture.KeyDirectory, "cmk.key"));
        Assert.Equal(EncryptedDbFailureCode.KeyUnavailable, Assert.Throws<EncryptedDbException>(() => ColumnKeyWrap.Unwrap(new byte[32], wrapped, "cek_accounts", "cmk_test")).Code);
        Assert.Equal(EncryptedDbFailureCode.KeyUnavailable, Assert.Throws<EncryptedDbException>(() => ColumnKeyWrap.Unwrap(master, wrapped, "cek_other", "cmk_test")).Code);
        Assert.Equal(32, ColumnKeyWrap.Unwrap(master, wrapped, "cek_accounts", "cmk_test").Length);
    }

    [PostgresFact]
    public async Task A_client_whose_query_service_went_away_gets_typed_errors_and_tries_fresh_connections_next_time()
    {
        await using var service = await SecGear.EncryptedDb.Service.EncryptedQueryService.StartAsync(
            new SecGear.EncryptedDb.Service.QueryServiceOptions { ConnectionString = fixture.ConnectionString }, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        (var verifier, var policy) = EnclaveTrust.Simulation(fixture.Measurement, fixture.Signer, fixture.Ca);
        await using var client = new EncryptedDbConnection(new EncryptedDbOptions { ConnectionString = fixture.ConnectionString, QueryService = service.EndPoint, Verifier = verifier, EnclavePolicy = policy });
        await client.OpenAsync();
        Assert.Equal((long)ServiceFixture.Rows, await client.CreateCommand("SELECT COUNT(*) FROM accounts WHERE balance > 0").ExecuteScalarAsync());

        await service.DisposeAsync();
        var ex = await Assert.ThrowsAsync<EncryptedDbException>(() => client.CreateCommand("SELECT COUNT(*) FROM accounts WHERE balance > 0").ExecuteReaderAsync());
        Assert.Equal(EncryptedDbFailureCode.ServiceFailure, ex.Code);
        var refused = await Assert.ThrowsAsync<EncryptedDbException>(() => client.CreateCommand("SELECT COUNT(*) FROM accounts WHERE balance > 0").ExecuteReaderAsync());
        Assert.Equal(EncryptedDbFailureCode.ServiceFailure, refused.Code);
        Assert.Contains("cannot reach the query service", refused.Message, StringComparison.Ordinal);
    }

    private async Task Raw(string sql)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
