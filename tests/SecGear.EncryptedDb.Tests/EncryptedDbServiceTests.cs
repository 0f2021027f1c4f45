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
        byte[] wrapped = await WrappedAccountsKeyAsync();
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
        await CreateTamperTableAsync("swaps", [1L, "one", "t1", "o1"], [2L, "two", "t2", "o2"], [3L, "three", "t3", "o3"]);
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
        await Raw("UPDATE swaps SET other = tag WHERE id = 2");
        Assert.Equal(EncryptedDbFailureCode.IntegrityFailure, (await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("SELECT other FROM swaps WHERE id = 2").ExecuteReaderAsync())).Code);

        // The connection still works for intact rows.
        Assert.Equal("o3", await Client.CreateCommand("SELECT other FROM swaps WHERE id = 3").ExecuteScalarAsync());
    }

    [PostgresFact]
    public async Task Deterministic_cells_swapped_between_rows_are_detected_by_their_row_tags()
    {
        await CreateTamperTableAsync("dswaps", [1L, "one", "t1", "o1"], [2L, "two", "t2", "o2"], [3L, "three", "t3", "o3"], [4L, "four", "t4", null]);
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

        // The client's UPDATE checks every cell it keeps before re-binding the row, so it refuses rows whose swapped
        // row tags no longer vouch for `other`; overwriting both deterministic cells rewrites cells and tags together,
        // and the repaired rows read back.
        Assert.Equal(EncryptedDbFailureCode.IntegrityFailure, (await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("UPDATE dswaps SET tag = 'fixed' WHERE id IN (1, 2)").ExecuteNonQueryAsync())).Code);
        Assert.Equal(2, await Client.CreateCommand("UPDATE dswaps SET tag = 'fixed', other = 'fixed-too' WHERE id IN (1, 2)").ExecuteNonQueryAsync());
        Assert.Equal(2L, await Client.CreateCommand("SELECT COUNT(*) FROM dswaps WHERE tag = 'fixed' AND secret >= 'a'").ExecuteScalarAsync());
    }

    [PostgresFact]
    public async Task A_cell_rolled_back_to_an_older_version_of_its_row_is_detected_but_a_whole_row_rolled_back_is_not()
    {
        await CreateTamperTableAsync("rollbacks", [1L, "v1-secret", "v1-tag", "o1"], [2L, "two", "t2", "o2"]);

        // The DBA keeps copies of the table before and after the client updates row 1 (every encrypted cell of the row
        // moves to the next version, the untouched `other` included).
        await Raw("CREATE TABLE rollbacks_then AS SELECT * FROM rollbacks");
        Assert.Equal(1, await Client.CreateCommand("UPDATE rollbacks SET secret = 'v2-secret', tag = 'v2-tag' WHERE id = 1").ExecuteNonQueryAsync());
        Assert.Equal("v2-secret", await Client.CreateCommand("SELECT secret FROM rollbacks WHERE tag = 'v2-tag'").ExecuteScalarAsync());
        await Raw("CREATE TABLE rollbacks_now AS SELECT * FROM rollbacks");
        const string Restore = "UPDATE rollbacks r SET secret = t.secret, tag = t.tag, other = t.other, encdb_tags = t.encdb_tags, encdb_version = t.encdb_version FROM rollbacks_now t WHERE r.id = t.id";

        // One randomized cell rolled back to its older ciphertext (same row, same column): refused on the client and in
        // the enclave.
        await Raw("UPDATE rollbacks r SET secret = t.secret FROM rollbacks_then t WHERE r.id = t.id AND r.id = 1");
        Assert.Equal(EncryptedDbFailureCode.IntegrityFailure, (await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("SELECT secret FROM rollbacks WHERE id = 1").ExecuteReaderAsync())).Code);
        Assert.Equal(EncryptedDbFailureCode.IntegrityFailure, (await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("SELECT COUNT(*) FROM rollbacks WHERE secret >= 'a'").ExecuteReaderAsync())).Code);

        // A deterministic cell rolled back with its old row tags: the tags are bound to the older version.
        await Raw(Restore);
        await Raw("UPDATE rollbacks r SET tag = t.tag, encdb_tags = t.encdb_tags FROM rollbacks_then t WHERE r.id = t.id AND r.id = 1");
        Assert.Equal(EncryptedDbFailureCode.IntegrityFailure, (await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("SELECT id, tag FROM rollbacks WHERE id = 1").ExecuteReaderAsync())).Code);

        // ... and with the old version too: the randomized cell the DBA did not roll back is bound to the newer one.
        await Raw(Restore);
        await Raw("UPDATE rollbacks r SET tag = t.tag, encdb_tags = t.encdb_tags, encdb_version = t.encdb_version FROM rollbacks_then t WHERE r.id = t.id AND r.id = 1");
        Assert.Equal(EncryptedDbFailureCode.IntegrityFailure, (await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("SELECT secret FROM rollbacks WHERE id = 1").ExecuteReaderAsync())).Code);
        Assert.Equal(EncryptedDbFailureCode.IntegrityFailure, (await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("SELECT COUNT(*) FROM rollbacks WHERE secret >= 'a' AND tag = 'v1-tag'").ExecuteReaderAsync())).Code);

        // The whole row rolled back consistently (every cell, its row tags and its version) reads as the old row:
        // nothing stored in the database can tell (docs/encrypted-db.md, "Rollback": that needs a counter the client keeps).
        await Raw("UPDATE rollbacks r SET secret = t.secret, tag = t.tag, other = t.other, encdb_tags = t.encdb_tags, encdb_version = t.encdb_version FROM rollbacks_then t WHERE r.id = t.id AND r.id = 1");
        Assert.Equal("v1-secret", await Client.CreateCommand("SELECT secret FROM rollbacks WHERE tag = 'v1-tag'").ExecuteScalarAsync());
        Assert.Equal(1L, await Client.CreateCommand("SELECT COUNT(*) FROM rollbacks WHERE secret = 'v1-secret' AND other = 'o1'").ExecuteScalarAsync());
    }

    [PostgresFact]
    public async Task Aggregates_postgresql_computes_alone_are_unchecked_unless_verified_aggregates_sends_them_through_the_enclave()
    {
        await CreateTamperTableAsync("agg_swaps", [1L, "one", "t1", "o1"], [2L, "two", "t2", "o2"], [3L, "three", "t3", "o3"]);

        // The DBA copies row 1's deterministic cell into row 2. PostgreSQL counts on the stored bytes and no row reaches
        // the client: the default route accepts the wrong count (documented).
        await Raw("UPDATE agg_swaps SET tag = (SELECT tag FROM agg_swaps WHERE id = 1) WHERE id = 2");
        var count = Client.CreateCommand("SELECT COUNT(*) FROM agg_swaps WHERE tag = 't1'");
        Assert.Equal(2L, await count.ExecuteScalarAsync());
        Assert.Equal(QueryRoute.Database, count.LastRoute);

        // With VerifiedAggregates the same queries go through the enclave, which checks each row's tags first.
        await using EncryptedDbConnection verified = fixture.Connect(fixture.Measurement, verifiedAggregates: true);
        await verified.OpenAsync();
        var intact = verified.CreateCommand("SELECT COUNT(*) FROM agg_swaps WHERE other IN ('o1', 'o3')");
        Assert.Equal(2L, await intact.ExecuteScalarAsync());
        Assert.Equal(QueryRoute.Enclave, intact.LastRoute);
        foreach (string sql in new[] { "SELECT COUNT(*) FROM agg_swaps WHERE tag = 't1'", "SELECT tag, COUNT(*) FROM agg_swaps GROUP BY tag", "SELECT DISTINCT tag FROM agg_swaps" })
        {
            var ex = await Assert.ThrowsAsync<EncryptedDbException>(() => verified.CreateCommand(sql).ExecuteReaderAsync());
            Assert.True(ex.Code == EncryptedDbFailureCode.IntegrityFailure, $"{sql}: {ex.Code} {ex.Message}");
            Assert.Contains("agg_swaps.tag", ex.Message, StringComparison.Ordinal);
        }
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
        await Client.CreateCommand("CREATE TABLE inserts (id bigint PRIMARY KEY, who text ENCRYPTED WITH (COLUMN_ENCRYPTION_KEY = cek_accounts, ENCRYPTION_TYPE = DETERMINISTIC), amount numeric ENCRYPTED WITH (COLUMN_ENCRYPTION_KEY = cek_accounts, ENCRYPTION_TYPE = RANDOMIZED))").ExecuteNonQueryAsync();
        int written = await Client.CreateCommand("INSERT INTO inserts (id, who, amount) VALUES (@id, @who, @amount), (2, 'bob', 7)")
            .AddParameter("id", 1).AddParameter("who", "alice").AddParameter("amount", 12.5m).ExecuteNonQueryAsync();
        Assert.Equal(2, written);
        Assert.Equal(12.5m, await Client.CreateCommand("SELECT amount FROM inserts WHERE who = 'alice'").ExecuteScalarAsync());
        Assert.Equal("bob", await Client.CreateCommand("SELECT who FROM inserts WHERE amount < 10").ExecuteScalarAsync());
    }

    [PostgresFact]
    public async Task A_column_key_does_not_unwrap_under_another_master_key_or_name()
    {
        byte[] wrapped = await WrappedAccountsKeyAsync();
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

    [PostgresFact]
    public async Task Create_table_with_encrypted_with_columns_stores_ciphertext_and_is_queryable_by_both_routes()
    {
        await Client.CreateCommand(
            "CREATE TABLE cards (id bigint PRIMARY KEY, holder text ENCRYPTED WITH (COLUMN_ENCRYPTION_KEY = cek_accounts, ENCRYPTION_TYPE = DETERMINISTIC), " +
            "card_limit numeric ENCRYPTED WITH (COLUMN_ENCRYPTION_KEY = cek_accounts, ENCRYPTION_TYPE = RANDOMIZED), issued DATE)").ExecuteNonQueryAsync();
        Assert.Equal(2, await Client.CreateCommand("INSERT INTO cards (id, holder, card_limit, issued) VALUES (1, 'Zqx-holder-a', 1500, DATE '2026-01-02'), (2, 'Zqx-holder-b', 300, NULL)").ExecuteNonQueryAsync());
        Assert.Equal(1500m, await Client.CreateCommand("SELECT card_limit FROM cards WHERE holder = 'Zqx-holder-a'").ExecuteScalarAsync());
        Assert.Equal("Zqx-holder-b", await Client.CreateCommand("SELECT holder FROM cards WHERE card_limit < 1000").ExecuteScalarAsync());

        // What the DBA sees: bytea columns of ciphertext, the row tags' column, and no plaintext.
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var types = new NpgsqlCommand("SELECT string_agg(column_name || ':' || data_type, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'cards'", connection);
        Assert.Equal("id:bigint,holder:bytea,card_limit:bytea,issued:date,encdb_tags:bytea,encdb_version:bigint", await types.ExecuteScalarAsync());
        await using var raw = new NpgsqlCommand("SELECT holder FROM cards WHERE id = 1", connection);
        Assert.Equal(-1, ((byte[])(await raw.ExecuteScalarAsync())!).AsSpan().IndexOf("Zqx-holder"u8));

        // The same checks as CreateTableAsync: an encrypted row id, an equality domain on a randomized column.
        Assert.Equal(EncryptedDbFailureCode.InvalidQuery, (await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("CREATE TABLE bad1 (id bigint PRIMARY KEY ENCRYPTED WITH (COLUMN_ENCRYPTION_KEY = cek_accounts, ENCRYPTION_TYPE = DETERMINISTIC))").ExecuteNonQueryAsync())).Code);
        Assert.Equal(EncryptedDbFailureCode.InvalidQuery, (await Assert.ThrowsAsync<EncryptedDbException>(() => Client.CreateCommand("CREATE TABLE bad2 (id bigint PRIMARY KEY, x text ENCRYPTED WITH (COLUMN_ENCRYPTION_KEY = cek_accounts, ENCRYPTION_TYPE = RANDOMIZED, EQUALITY_DOMAIN = d))").ExecuteNonQueryAsync())).Code);
    }

    // The small table the tamper tests change: id, a randomized text `secret`, deterministic texts `tag` and `other`
    // (rows given in that order), created with the openGauss-style DDL.
    private async Task CreateTamperTableAsync(string name, params object?[][] rows)
    {
        const string Deterministic = "ENCRYPTED WITH (COLUMN_ENCRYPTION_KEY = cek_accounts, ENCRYPTION_TYPE = DETERMINISTIC)";
        await Client.CreateCommand($"CREATE TABLE {name} (id bigint PRIMARY KEY, secret text ENCRYPTED WITH (COLUMN_ENCRYPTION_KEY = cek_accounts, ENCRYPTION_TYPE = RANDOMIZED), tag text {Deterministic}, other text {Deterministic})").ExecuteNonQueryAsync();
        await Client.ImportAsync(name, ["id", "secret", "tag", "other"], rows);
    }

    private async Task<byte[]> WrappedAccountsKeyAsync()
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand("SELECT wrapped FROM encdb_column_keys WHERE name = 'cek_accounts'", connection);
        return (byte[])(await read.ExecuteScalarAsync())!;
    }

    private async Task Raw(string sql)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
