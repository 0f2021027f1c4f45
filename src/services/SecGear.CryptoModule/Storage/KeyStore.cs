using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace SecGear.CryptoModule.Storage;

/// <summary>
/// Tenants, key records, the sealed store key and the audit trail in SQLite (default: one file, WAL, synchronous=FULL so
/// an acknowledged write survives a crash) or PostgreSQL (shared by several module instances). One SQL text serves
/// both; only the column types and the audit id differ. Every write that a client sees acknowledged has committed.
/// </summary>
public sealed class KeyStore
{
    private readonly Func<DbConnection> _connect;
    private readonly bool _postgres;
    private readonly string _prefix;

    private KeyStore(Func<DbConnection> connect, bool postgres, string prefix)
    {
        _connect = connect;
        _postgres = postgres;
        _prefix = prefix;
    }

    /// <summary>A SQLite store in <paramref name="path"/>.</summary>
    public static KeyStore Sqlite(string path)
    {
        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = 10 };
        string connectionString = builder.ToString();
        return new KeyStore(() => new SqliteConnection(connectionString), postgres: false, prefix: string.Empty);
    }

    /// <summary>A PostgreSQL store in <paramref name="schema"/> (created if missing).</summary>
    public static KeyStore Postgres(string connectionString, string schema)
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(schema, "^[a-z_][a-z0-9_]{0,62}$"))
        {
            throw new ArgumentException($"The PostgreSQL schema name '{schema}' is not a plain lower-case identifier.", nameof(schema));
        }

        return new KeyStore(() => new NpgsqlConnection(connectionString), postgres: true, prefix: schema + ".");
    }

    /// <summary>Creates the tables if missing.</summary>
    public async Task InitializeAsync()
    {
        string blob = _postgres ? "BYTEA" : "BLOB";
        string auditId = _postgres ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT";
        string schema = _postgres ? $"CREATE SCHEMA IF NOT EXISTS {_prefix.TrimEnd('.')};" : "PRAGMA journal_mode = WAL;";
        await ExecuteAsync($"""
            {schema}
            CREATE TABLE IF NOT EXISTS {_prefix}meta (name TEXT PRIMARY KEY, value {blob} NOT NULL);
            CREATE TABLE IF NOT EXISTS {_prefix}tenants (id TEXT PRIMARY KEY, name TEXT, credential_hash {blob} NOT NULL, created BIGINT NOT NULL);
            CREATE TABLE IF NOT EXISTS {_prefix}keys (tenant TEXT NOT NULL, id TEXT NOT NULL, spec INTEGER NOT NULL, usage INTEGER NOT NULL,
                state INTEGER NOT NULL, primary_version INTEGER NOT NULL, label TEXT, created BIGINT NOT NULL, PRIMARY KEY (tenant, id));
            CREATE TABLE IF NOT EXISTS {_prefix}key_versions (tenant TEXT NOT NULL, key_id TEXT NOT NULL, version INTEGER NOT NULL,
                blob {blob} NOT NULL, public_key {blob}, created BIGINT NOT NULL, PRIMARY KEY (tenant, key_id, version));
            CREATE TABLE IF NOT EXISTS {_prefix}audit (id {auditId}, at BIGINT NOT NULL, tenant TEXT NOT NULL, key_id TEXT,
                version INTEGER, operation TEXT NOT NULL, outcome TEXT NOT NULL, uses BIGINT NOT NULL DEFAULT 1);
            """).ConfigureAwait(false);

        // Stores created before records counted their uses get the column (every old record is one use).
        bool hasUses = _postgres
            || (await QueryAsync($"SELECT COUNT(*) FROM pragma_table_info('audit') WHERE name = 'uses'", reader => reader.GetInt64(0)).ConfigureAwait(false))[0] > 0;
        await ExecuteAsync(_postgres
            ? $"ALTER TABLE {_prefix}audit ADD COLUMN IF NOT EXISTS uses BIGINT NOT NULL DEFAULT 1"
            : hasUses ? "SELECT 1" : $"ALTER TABLE {_prefix}audit ADD COLUMN uses BIGINT NOT NULL DEFAULT 1").ConfigureAwait(false);
    }

    /// <summary>Stores a new value (from <paramref name="create"/>) under <paramref name="name"/> unless one exists; returns the stored value.</summary>
    public async Task<byte[]> GetOrAddMetaAsync(string name, Func<byte[]> create)
    {
        var existing = await GetMetaAsync(name).ConfigureAwait(false);
        if (existing is not null)
        {
            return existing;
        }

        byte[] value = create();
        await ExecuteAsync($"INSERT INTO {_prefix}meta (name, value) VALUES (@name, @value) ON CONFLICT (name) DO NOTHING", ("name", name), ("value", value)).ConfigureAwait(false);
        return await GetMetaAsync(name).ConfigureAwait(false) ?? throw new StorageUnavailableException($"The meta value '{name}' vanished after its insert.");
    }

    /// <summary>The meta value or null.</summary>
    public Task<byte[]?> GetMetaAsync(string name) =>
        ScalarAsync<byte[]>($"SELECT value FROM {_prefix}meta WHERE name = @name", ("name", name));

    /// <summary>Creates a tenant; false when the id exists.</summary>
    public async Task<bool> CreateTenantAsync(string id, string? name, byte[] credentialHash) =>
        await ExecuteAsync(
            $"INSERT INTO {_prefix}tenants (id, name, credential_hash, created) VALUES (@id, @name, @hash, @created) ON CONFLICT (id) DO NOTHING",
            ("id", id), ("name", name), ("hash", credentialHash), ("created", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())).ConfigureAwait(false) == 1;

    /// <summary>The tenant's credential hash, or null when no such tenant.</summary>
    public Task<byte[]?> GetCredentialHashAsync(string tenant) =>
        ScalarAsync<byte[]>($"SELECT credential_hash FROM {_prefix}tenants WHERE id = @id", ("id", tenant));

    /// <summary>Every tenant id.</summary>
    public Task<List<string>> ListTenantsAsync() =>
        QueryAsync($"SELECT id FROM {_prefix}tenants ORDER BY id", reader => reader.GetString(0));

    /// <summary>Creates a key with its first version in one transaction; false when the id exists in the tenant.</summary>
    public async Task<bool> CreateKeyAsync(StoredKey key)
    {
        var first = key.Versions[0];
        return await InTransactionAsync(async (connection, transaction) =>
        {
            int inserted = await RunAsync(connection, transaction,
                $"INSERT INTO {_prefix}keys (tenant, id, spec, usage, state, primary_version, label, created) VALUES (@tenant, @id, @spec, @usage, @state, @primary, @label, @created) ON CONFLICT (tenant, id) DO NOTHING",
                ("tenant", key.Tenant), ("id", key.Id), ("spec", (int)key.Spec), ("usage", (int)key.Usage), ("state", (int)key.State),
                ("primary", (long)key.PrimaryVersion), ("label", key.Label), ("created", key.Created.ToUnixTimeMilliseconds())).ConfigureAwait(false);
            if (inserted == 0)
            {
                return false;
            }

            await InsertVersionAsync(connection, transaction, key.Tenant, key.Id, first).ConfigureAwait(false);
            return true;
        }).ConfigureAwait(false);
    }

    /// <summary>Adds a version and makes it primary, only if the primary is still <paramref name="expectedPrimary"/>; false when another rotation won.</summary>
    public Task<bool> RotateAsync(string tenant, string id, uint expectedPrimary, StoredKeyVersion version) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            int updated = await RunAsync(connection, transaction,
                $"UPDATE {_prefix}keys SET primary_version = @next WHERE tenant = @tenant AND id = @id AND primary_version = @expected AND state = @enabled",
                ("next", (long)version.Version), ("tenant", tenant), ("id", id), ("expected", (long)expectedPrimary), ("enabled", (int)KeyState.Enabled)).ConfigureAwait(false);
            if (updated == 0)
            {
                return false;
            }

            await InsertVersionAsync(connection, transaction, tenant, id, version).ConfigureAwait(false);
            return true;
        });

    /// <summary>Sets a key's state (not back from Destroyed); false when there is no such live key.</summary>
    public async Task<bool> SetStateAsync(string tenant, string id, KeyState state) =>
        await ExecuteAsync(
            $"UPDATE {_prefix}keys SET state = @state WHERE tenant = @tenant AND id = @id AND state <> @destroyed",
            ("state", (int)state), ("tenant", tenant), ("id", id), ("destroyed", (int)KeyState.Destroyed)).ConfigureAwait(false) == 1;

    /// <summary>Marks the key destroyed and erases every wrapped blob (the public keys stay for verifying old signatures).</summary>
    public Task<bool> DestroyAsync(string tenant, string id) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            int updated = await RunAsync(connection, transaction,
                $"UPDATE {_prefix}keys SET state = @destroyed WHERE tenant = @tenant AND id = @id AND state <> @destroyed",
                ("destroyed", (int)KeyState.Destroyed), ("tenant", tenant), ("id", id)).ConfigureAwait(false);
            if (updated == 0)
            {
                return false;
            }

            await RunAsync(connection, transaction, $"UPDATE {_prefix}key_versions SET blob = @empty WHERE tenant = @tenant AND key_id = @id",
                ("empty", Array.Empty<byte>()), ("tenant", tenant), ("id", id)).ConfigureAwait(false);
            return true;
        });

    /// <summary>One key with its versions, or null.</summary>
    public async Task<StoredKey?> GetKeyAsync(string tenant, string id)
    {
        var keys = await LoadKeysAsync("tenant = @tenant AND id = @id", ("tenant", tenant), ("id", id)).ConfigureAwait(false);
        return keys.Count == 0 ? null : keys[0];
    }

    /// <summary>The tenant's keys with their versions.</summary>
    public Task<List<StoredKey>> ListKeysAsync(string tenant) => LoadKeysAsync("tenant = @tenant", ("tenant", tenant));

    /// <summary>Appends audit records in one transaction.</summary>
    public Task AppendAuditAsync(IReadOnlyList<AuditEntry> entries) =>
        InTransactionAsync(async (connection, transaction) =>
        {
            // One prepared command for the whole batch, its parameters rebound per record: at tens of thousands of key
            // uses a second, building and parsing a command per record cost more than the operations it audits.
            await using var command = Command(connection, transaction,
                $"INSERT INTO {_prefix}audit (at, tenant, key_id, version, operation, outcome, uses) VALUES (@time, @tenant, @key, @version, @operation, @outcome, @uses)",
                [("time", 0L), ("tenant", string.Empty), ("key", string.Empty), ("version", 0L), ("operation", string.Empty), ("outcome", string.Empty), ("uses", 1L)]);
            var p = command.Parameters;
            // Typed, so a null key id or version binds the same way on SQLite and on a prepared PostgreSQL statement.
            p[0].DbType = System.Data.DbType.Int64;
            p[1].DbType = p[2].DbType = p[4].DbType = p[5].DbType = System.Data.DbType.String;
            p[3].DbType = p[6].DbType = System.Data.DbType.Int64;
            await command.PrepareAsync().ConfigureAwait(false);
            foreach (var entry in entries)
            {
                p[0].Value = entry.Time.ToUnixTimeMilliseconds();
                p[1].Value = entry.Tenant;
                p[2].Value = (object?)entry.KeyId ?? DBNull.Value;
                p[3].Value = entry.Version is null ? DBNull.Value : (long)entry.Version.Value;
                p[4].Value = entry.Operation;
                p[5].Value = entry.Outcome;
                p[6].Value = entry.Uses;
                await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            }

            return true;
        });

    /// <summary>The tenant's newest audit records.</summary>
    public Task<List<AuditEntry>> ListAuditAsync(string tenant, int limit) =>
        QueryAsync(
            $"SELECT id, at, tenant, key_id, version, operation, outcome, uses FROM {_prefix}audit WHERE tenant = @tenant ORDER BY id DESC LIMIT @limit",
            reader => new AuditEntry(
                reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : (uint)reader.GetInt64(4), reader.GetString(5), reader.GetString(6),
                reader.GetInt64(7)),
            ("tenant", tenant), ("limit", limit));

    private async Task<List<StoredKey>> LoadKeysAsync(string where, params (string Name, object? Value)[] parameters)
    {
        var heads = await QueryAsync(
            $"SELECT tenant, id, spec, usage, state, primary_version, label, created FROM {_prefix}keys WHERE {where} ORDER BY id",
            reader => (Tenant: reader.GetString(0), Id: reader.GetString(1), Spec: (KeySpec)reader.GetInt32(2), Usage: (KeyUsage)reader.GetInt32(3),
                State: (KeyState)reader.GetInt32(4), Primary: (uint)reader.GetInt64(5), Label: reader.IsDBNull(6) ? null : reader.GetString(6),
                Created: DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7))),
            parameters).ConfigureAwait(false);
        if (heads.Count == 0)
        {
            return [];
        }

        string versionWhere = where.Replace("id = @id", "key_id = @id", StringComparison.Ordinal);
        var versions = await QueryAsync(
            $"SELECT key_id, version, blob, public_key, created FROM {_prefix}key_versions WHERE {versionWhere} ORDER BY key_id, version",
            reader => (KeyId: reader.GetString(0), Version: new StoredKeyVersion((uint)reader.GetInt64(1), (byte[])reader.GetValue(2),
                reader.IsDBNull(3) ? null : (byte[])reader.GetValue(3), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)))),
            parameters).ConfigureAwait(false);
        var byKey = versions.GroupBy(v => v.KeyId).ToDictionary(g => g.Key, g => g.Select(v => v.Version).ToList(), StringComparer.Ordinal);
        return [.. heads.Select(h => new StoredKey(h.Tenant, h.Id, h.Spec, h.Usage, h.State, h.Primary, h.Label, h.Created,
            byKey.TryGetValue(h.Id, out var list) ? list : []))];
    }

    private Task InsertVersionAsync(DbConnection connection, DbTransaction transaction, string tenant, string id, StoredKeyVersion version) =>
        RunAsync(connection, transaction,
            $"INSERT INTO {_prefix}key_versions (tenant, key_id, version, blob, public_key, created) VALUES (@tenant, @id, @version, @blob, @public, @created)",
            ("tenant", tenant), ("id", id), ("version", (long)version.Version), ("blob", version.Blob), ("public", version.PublicKey),
            ("created", version.Created.ToUnixTimeMilliseconds()));

    private async Task<DbConnection> OpenAsync()
    {
        var connection = _connect();
        try
        {
            await connection.OpenAsync().ConfigureAwait(false);
            if (!_postgres)
            {
                using var pragma = connection.CreateCommand();
                // FULL: a commit is on disk before it returns, so an acknowledged key survives a killed process or power loss.
                pragma.CommandText = "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000";
                await pragma.ExecuteNonQueryAsync().ConfigureAwait(false);
            }

            return connection;
        }
        catch (DbException ex)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw new StorageUnavailableException($"The key store cannot be opened: {ex.Message}", ex);
        }
    }

    private async Task<T> InTransactionAsync<T>(Func<DbConnection, DbTransaction, Task<T>> work)
    {
        await using var connection = await OpenAsync().ConfigureAwait(false);
        try
        {
            await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
            T result = await work(connection, transaction).ConfigureAwait(false);
            await transaction.CommitAsync().ConfigureAwait(false);
            return result;
        }
        catch (DbException ex) when (!IsUniqueViolation(ex))
        {
            throw new StorageUnavailableException($"The key store failed: {ex.Message}", ex);
        }
        catch (DbException)
        {
            // A concurrent writer inserted the same version first: the caller's condition failed.
            return default!;
        }
    }

    private async Task<int> ExecuteAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenAsync().ConfigureAwait(false);
        try
        {
            return await RunAsync(connection, null, sql, parameters).ConfigureAwait(false);
        }
        catch (DbException ex)
        {
            throw new StorageUnavailableException($"The key store failed: {ex.Message}", ex);
        }
    }

    private async Task<T?> ScalarAsync<T>(string sql, params (string Name, object? Value)[] parameters)
        where T : class
    {
        var rows = await QueryAsync(sql, reader => reader.IsDBNull(0) ? null : (T)reader.GetValue(0), parameters).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    private async Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> read, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenAsync().ConfigureAwait(false);
        try
        {
            await using var command = Command(connection, null, sql, parameters);
            await using var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
            var rows = new List<T>();
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                rows.Add(read(reader));
            }

            return rows;
        }
        catch (DbException ex)
        {
            throw new StorageUnavailableException($"The key store failed: {ex.Message}", ex);
        }
    }

    private static async Task<int> RunAsync(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private bool IsUniqueViolation(DbException ex) =>
        _postgres ? ex is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } : ex is SqliteException { SqliteErrorCode: 19 };
}
