using System.Data.Common;
using System.Text;

namespace SecGear.AttestationService.Storage;

/// <summary>Key rotation, retention, readiness and audit queries (schema version 2).</summary>
public abstract partial class SqlAttestationStore
{
    /// <summary>The audit columns in the order <see cref="ReadAuditRecord"/> reads them.</summary>
    private const string AuditColumns = "time, endpoint, client, policy_id, policy_version, verdict, failure_code, evidence_sha256, tee, measurement";

    private const string SigningKeyColumnsV2 = ", activates_at BIGINT";

    private const string AuditColumnsV2 = ", tee TEXT, measurement TEXT";

    // The console's default view (one endpoint, optionally one verdict, newest first) reads an index range, not the table.
    private const string AuditIndexV2 = "CREATE INDEX IF NOT EXISTS audit_endpoint_verdict ON audit (endpoint, verdict, id)";

    /// <summary>Runs inside the rotation transaction before the newest key is read, to serialise instances that rotate together.</summary>
    protected virtual Task LockSigningKeysAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public Task<bool> AddSigningKeyIfNewestAsync(StoredSigningKey key, DateTimeOffset? expectedNewestCreatedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return RunWriteAsync(async connection =>
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await LockSigningKeysAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            long? newest;
            await using (var read = Command(connection, transaction, "SELECT MAX(created_at) FROM signing_keys"))
            {
                var found = await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                newest = found is null or DBNull ? null : Convert.ToInt64(found, System.Globalization.CultureInfo.InvariantCulture);
            }

            if (newest != expectedNewestCreatedAt?.ToUnixTimeMilliseconds())
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return false;
            }

            await using (var insert = Command(
                connection, transaction, "INSERT INTO signing_keys (kid, private_key, created_at, activates_at) VALUES (@kid, @key, @created, @activates)"))
            {
                AddSigningKey(insert, key);
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        });
    }

    /// <inheritdoc/>
    public Task DeleteSigningKeyAsync(string keyId, CancellationToken cancellationToken = default) => RunWriteAsync(async connection =>
    {
        await using var command = Command(connection, null, "DELETE FROM signing_keys WHERE kid = @kid");
        Add(command, "kid", keyId);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return true;
    });

    /// <inheritdoc/>
    public Task<int> PruneAuditAsync(DateTimeOffset before, int batchSize, CancellationToken cancellationToken = default) => RunWriteAsync(async connection =>
    {
        // A bounded batch per statement: the write lock (SQLite) or row locks (PostgreSQL) are held briefly, so requests
        // that append audit rows or consume challenges wait at most one batch.
        await using var command = Command(
            connection, null, "DELETE FROM audit WHERE id IN (SELECT id FROM audit WHERE time < @cutoff ORDER BY id LIMIT @batch)");
        Add(command, "cutoff", before.ToUnixTimeMilliseconds());
        Add(command, "batch", (long)Math.Max(1, batchSize));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    });

    /// <inheritdoc/>
    public Task<int> PruneChallengesAsync(DateTimeOffset expiredBefore, int batchSize, CancellationToken cancellationToken = default) => RunWriteAsync(async connection =>
    {
        await using var command = Command(
            connection, null, "DELETE FROM challenges WHERE session_id IN (SELECT session_id FROM challenges WHERE expires_at < @cutoff LIMIT @batch)");
        Add(command, "cutoff", expiredBefore.ToUnixTimeMilliseconds());
        Add(command, "batch", (long)Math.Max(1, batchSize));
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    });

    /// <inheritdoc/>
    public Task<long> CountOutstandingChallengesAsync(DateTimeOffset now, CancellationToken cancellationToken = default) => RunAsync(async connection =>
    {
        await using var command = Command(connection, null, "SELECT COUNT(*) FROM challenges WHERE expires_at > @now");
        Add(command, "now", now.ToUnixTimeMilliseconds());
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    });

    /// <inheritdoc/>
    public Task<IReadOnlyList<AuditEntry>> QueryAuditAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return RunAsync(async connection =>
        {
            // Conditions are appended for the filters given; every value travels as a parameter.
            var sql = new StringBuilder($"SELECT id, {AuditColumns} FROM audit WHERE 1 = 1");
            await using var command = Command(connection, null, string.Empty);
            void Filter(string column, string parameter, string? value)
            {
                if (value is not null)
                {
                    sql.Append(System.Globalization.CultureInfo.InvariantCulture, $" AND {column} = @{parameter}");
                    Add(command, parameter, value);
                }
            }

            Filter("endpoint", "endpoint", query.Endpoint);
            Filter("verdict", "verdict", query.Verdict);
            Filter("tee", "tee", query.Tee);
            Filter("failure_code", "failure", query.FailureCode);
            if (query.Id is { } id)
            {
                sql.Append(" AND id = @id");
                Add(command, "id", id);
            }

            if (query.BeforeId is { } beforeId)
            {
                sql.Append(" AND id < @before");
                Add(command, "before", beforeId);
            }

            sql.Append(" ORDER BY id DESC LIMIT @limit");
            Add(command, "limit", (long)Math.Clamp(query.Limit, 1, 500));
#pragma warning disable CA2100 // Built from constants of this method; values travel as parameters.
            command.CommandText = sql.ToString();
#pragma warning restore CA2100
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var entries = new List<AuditEntry>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                entries.Add(new AuditEntry(reader.GetInt64(0), ReadAuditRecord(reader, 1)));
            }

            return (IReadOnlyList<AuditEntry>)entries;
        });
    }

    /// <inheritdoc/>
    public Task PingAsync(CancellationToken cancellationToken = default) => RunAsync(async connection =>
    {
        await using var command = Command(connection, null, "SELECT COUNT(*) FROM schema_version");
        await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return true;
    });

    /// <summary>Version 1 to 2: the activation time of signing keys (rotation) and the TEE and measurement of audited attestations.</summary>
    private static async Task MigrateFromVersion1Async(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        string[] steps =
        [
            "ALTER TABLE signing_keys ADD COLUMN activates_at BIGINT",
            "ALTER TABLE audit ADD COLUMN tee TEXT",
            "ALTER TABLE audit ADD COLUMN measurement TEXT",
            "UPDATE schema_version SET version = 2",
        ];
        foreach (var step in steps)
        {
            await ExecuteAsync(connection, transaction, step, cancellationToken).ConfigureAwait(false);
        }
    }

    private static AuditRecord ReadAuditRecord(DbDataReader reader, int offset = 0) => new(
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(offset)),
        reader.GetString(offset + 1),
        NullableString(reader, offset + 2),
        NullableString(reader, offset + 3),
        reader.IsDBNull(offset + 4) ? null : reader.GetInt64(offset + 4),
        reader.GetString(offset + 5),
        NullableString(reader, offset + 6),
        NullableString(reader, offset + 7),
        NullableString(reader, offset + 8),
        NullableString(reader, offset + 9));

    private static void AddSigningKey(DbCommand command, StoredSigningKey key)
    {
        Add(command, "kid", key.KeyId);
        AddBinary(command, "key", key.EncryptedPrivateKey);
        Add(command, "created", key.CreatedAt.ToUnixTimeMilliseconds());
        Add(command, "activates", key.ActivatesAt?.ToUnixTimeMilliseconds());
    }
}
