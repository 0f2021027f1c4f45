using System.Data;
using System.Data.Common;
using System.Globalization;

namespace SecGear.AttestationService.Storage;

/// <summary>
/// The store's logic in portable SQL (SQLite 3.35+ and PostgreSQL 9.5+ both speak <c>ON CONFLICT</c>, <c>RETURNING</c>
/// and <c>@name</c> parameters); subclasses supply connections, the few type names that differ, and which provider
/// errors mean "the database is unavailable".
/// </summary>
public abstract partial class SqlAttestationStore : IAttestationStore
{
    /// <summary>The schema version this code reads and writes.</summary>
    public const int SchemaVersion = 2;

    private readonly SemaphoreSlim _writeGate = new(1, 1);

    /// <summary>Column type of binary values (<c>BLOB</c>, <c>BYTEA</c>).</summary>
    protected abstract string BinaryType { get; }

    /// <summary>Column definition of the audit log's auto-increment key.</summary>
    protected abstract string AutoIncrementKey { get; }

    /// <summary>Opens a connection ready for use.</summary>
    protected abstract ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>Runs inside the schema transaction before any DDL, to serialise instances that start together.</summary>
    protected virtual Task LockSchemaAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A short description of where the database is, for error messages (never a password).</summary>
    protected abstract string Describe();

    /// <inheritdoc/>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => RunWriteAsync(async connection =>
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockSchemaAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
        string[] schema =
        [
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
            "CREATE TABLE IF NOT EXISTS documents (kind TEXT NOT NULL, id TEXT NOT NULL, version BIGINT NOT NULL, body TEXT NOT NULL, "
                + $"secret {BinaryType}, updated_at BIGINT NOT NULL, PRIMARY KEY (kind, id))",
            $"CREATE TABLE IF NOT EXISTS challenges (session_id TEXT PRIMARY KEY, nonce {BinaryType} NOT NULL, policy_id TEXT, expires_at BIGINT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS challenges_expires_at ON challenges (expires_at)",
            $"CREATE TABLE IF NOT EXISTS signing_keys (kid TEXT PRIMARY KEY, private_key {BinaryType} NOT NULL, created_at BIGINT NOT NULL{SigningKeyColumnsV2})",
            $"CREATE TABLE IF NOT EXISTS audit ({AutoIncrementKey}, time BIGINT NOT NULL, endpoint TEXT NOT NULL, client TEXT, policy_id TEXT, "
                + $"policy_version BIGINT, verdict TEXT NOT NULL, failure_code TEXT, evidence_sha256 TEXT{AuditColumnsV2})",
            AuditIndexV2,
        ];
        foreach (var statement in schema)
        {
            await ExecuteAsync(connection, transaction, statement, cancellationToken).ConfigureAwait(false);
        }

        await using (var read = Command(connection, transaction, "SELECT MAX(version) FROM schema_version"))
        {
            var found = await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            if (found is null or DBNull)
            {
                await using var insert = Command(connection, transaction, "INSERT INTO schema_version (version) VALUES (@v)");
                Add(insert, "v", SchemaVersion);
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            else if (Convert.ToInt64(found, CultureInfo.InvariantCulture) == 1)
            {
                await MigrateFromVersion1Async(connection, transaction, cancellationToken).ConfigureAwait(false);
            }
            else if (Convert.ToInt64(found, CultureInfo.InvariantCulture) != SchemaVersion)
            {
                throw new StorageUnavailableException(
                    $"The database {Describe()} has schema version {found}; this service reads and writes version {SchemaVersion}.");
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    });

    /// <inheritdoc/>
    public Task<StoredDocument?> GetDocumentAsync(DocumentKind kind, string id, CancellationToken cancellationToken = default) => RunAsync(async connection =>
    {
        await using var command = Command(connection, null, "SELECT kind, id, version, body, secret, updated_at FROM documents WHERE kind = @kind AND id = @id");
        Add(command, "kind", KindName(kind));
        Add(command, "id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadDocument(reader) : null;
    });

    /// <inheritdoc/>
    public Task<IReadOnlyList<StoredDocument>> ListDocumentsAsync(DocumentKind kind, CancellationToken cancellationToken = default) => RunAsync(async connection =>
    {
        await using var command = Command(connection, null, "SELECT kind, id, version, body, secret, updated_at FROM documents WHERE kind = @kind ORDER BY id");
        Add(command, "kind", KindName(kind));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var documents = new List<StoredDocument>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            documents.Add(ReadDocument(reader));
        }

        return (IReadOnlyList<StoredDocument>)documents;
    });

    /// <inheritdoc/>
    public Task<DocumentWrite> PutDocumentAsync(
        DocumentKind kind, string id, string body, byte[]? secret, WriteCondition condition, DateTimeOffset now, CancellationToken cancellationToken = default) => RunWriteAsync(async connection =>
    {
        // One statement per condition, so the compare-and-set is atomic in the database whatever its isolation level.
        // The insert-or-update form reports whether it inserted through the returned version (1 = created).
        string sql = condition switch
        {
            { CreateOnly: true } =>
                "INSERT INTO documents (kind, id, version, body, secret, updated_at) VALUES (@kind, @id, 1, @body, @secret, @now) "
                + "ON CONFLICT (kind, id) DO NOTHING RETURNING version",
            { ExpectedVersion: not null } =>
                "UPDATE documents SET version = version + 1, body = @body, secret = @secret, updated_at = @now "
                + "WHERE kind = @kind AND id = @id AND version = @expected RETURNING version",
            _ =>
                "INSERT INTO documents (kind, id, version, body, secret, updated_at) VALUES (@kind, @id, 1, @body, @secret, @now) "
                + "ON CONFLICT (kind, id) DO UPDATE SET version = documents.version + 1, body = excluded.body, secret = excluded.secret, "
                + "updated_at = excluded.updated_at RETURNING version",
        };
        await using var command = Command(connection, null, sql);
        Add(command, "kind", KindName(kind));
        Add(command, "id", id);
        Add(command, "body", body);
        AddBinary(command, "secret", secret);
        Add(command, "now", now.ToUnixTimeMilliseconds());
        if (condition.ExpectedVersion is { } expected)
        {
            Add(command, "expected", expected);
        }

        var version = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        if (version is null or DBNull)
        {
            return DocumentWrite.ConditionFailed;
        }

        long stored = Convert.ToInt64(version, CultureInfo.InvariantCulture);
        var document = new StoredDocument(kind, id, stored, body, secret, DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds()));
        return new DocumentWrite(stored == 1 ? WriteOutcome.Created : WriteOutcome.Updated, document);
    });

    /// <inheritdoc/>
    public Task<WriteOutcome> DeleteDocumentAsync(DocumentKind kind, string id, long? expectedVersion, CancellationToken cancellationToken = default) => RunWriteAsync(async connection =>
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = Command(
            connection, transaction, "DELETE FROM documents WHERE kind = @kind AND id = @id AND (@any = 1 OR version = @expected) RETURNING version");
        Add(command, "kind", KindName(kind));
        Add(command, "id", id);
        Add(command, "any", expectedVersion is null ? 1 : 0);
        Add(command, "expected", expectedVersion ?? 0);
        var deleted = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        WriteOutcome outcome;
        if (deleted is not null and not DBNull)
        {
            outcome = WriteOutcome.Updated;
        }
        else
        {
            await using var exists = Command(connection, transaction, "SELECT 1 FROM documents WHERE kind = @kind AND id = @id");
            Add(exists, "kind", KindName(kind));
            Add(exists, "id", id);
            var found = await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            outcome = found is null or DBNull ? WriteOutcome.NotFound : WriteOutcome.ConditionFailed;
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return outcome;
    });

    /// <inheritdoc/>
    public Task AddChallengeAsync(StoredChallenge challenge, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        return RunWriteAsync(async connection =>
        {
            // Expired challenges are pruned by the maintenance service (PruneChallengesAsync), off the request path.
            await using var insert = Command(
                connection, null, "INSERT INTO challenges (session_id, nonce, policy_id, expires_at) VALUES (@session, @nonce, @policy, @expires)");
            Add(insert, "session", challenge.SessionId);
            AddBinary(insert, "nonce", challenge.Nonce);
            Add(insert, "policy", challenge.PolicyId);
            Add(insert, "expires", challenge.ExpiresAt.ToUnixTimeMilliseconds());
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        });
    }

    /// <inheritdoc/>
    public Task<StoredChallenge?> TakeChallengeAsync(string sessionId, CancellationToken cancellationToken = default) => RunWriteAsync(async connection =>
    {
        await using var command = Command(
            connection, null, "DELETE FROM challenges WHERE session_id = @session RETURNING session_id, nonce, policy_id, expires_at");
        Add(command, "session", sessionId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new StoredChallenge(
            reader.GetString(0),
            (byte[])reader.GetValue(1),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)));
    });

    /// <inheritdoc/>
    public Task<IReadOnlyList<StoredSigningKey>> ListSigningKeysAsync(CancellationToken cancellationToken = default) => RunAsync(async connection =>
    {
        await using var command = Command(connection, null, "SELECT kid, private_key, created_at, activates_at FROM signing_keys ORDER BY created_at, kid");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var keys = new List<StoredSigningKey>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            keys.Add(new StoredSigningKey(
                reader.GetString(0),
                (byte[])reader.GetValue(1),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                reader.IsDBNull(3) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))));
        }

        return (IReadOnlyList<StoredSigningKey>)keys;
    });

    /// <inheritdoc/>
    public Task AddSigningKeyAsync(StoredSigningKey key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return RunWriteAsync(async connection =>
        {
            await using var command = Command(
                connection, null, "INSERT INTO signing_keys (kid, private_key, created_at, activates_at) VALUES (@kid, @key, @created, @activates) ON CONFLICT (kid) DO NOTHING");
            AddSigningKey(command, key);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        });
    }

    /// <inheritdoc/>
    public Task AppendAuditAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return RunWriteAsync(async connection =>
        {
            await using var command = Command(
                connection,
                null,
                "INSERT INTO audit (time, endpoint, client, policy_id, policy_version, verdict, failure_code, evidence_sha256, tee, measurement) "
                + "VALUES (@time, @endpoint, @client, @policy, @version, @verdict, @failure, @evidence, @tee, @measurement)");
            Add(command, "time", record.Time.ToUnixTimeMilliseconds());
            Add(command, "endpoint", record.Endpoint);
            Add(command, "client", record.Client);
            Add(command, "policy", record.PolicyId);
            Add(command, "version", record.PolicyVersion);
            Add(command, "verdict", record.Verdict);
            Add(command, "failure", record.FailureCode);
            Add(command, "evidence", record.EvidenceSha256);
            Add(command, "tee", record.Tee);
            Add(command, "measurement", record.Measurement);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return true;
        });
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<AuditRecord>> ReadAuditAsync(int count, CancellationToken cancellationToken = default) => RunAsync(async connection =>
    {
        await using var command = Command(
            connection,
            null,
            $"SELECT {AuditColumns} FROM audit ORDER BY id DESC LIMIT @count");
        Add(command, "count", (long)count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var records = new List<AuditRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            records.Add(ReadAuditRecord(reader));
        }

        return (IReadOnlyList<AuditRecord>)records;
    });

    /// <summary>True when a provider exception means the database cannot be used right now (locked, missing, unreachable).</summary>
    protected abstract bool IsUnavailable(Exception exception);

    /// <summary>
    /// When true, this process runs one write at a time. SQLite allows one writer per file and its busy handler waits
    /// by sleeping, so concurrent writers queued in the database see long tail latencies; queued here they do not.
    /// </summary>
    protected virtual bool SerializeWrites => false;

    /// <summary>How long a write waits for its turn when <see cref="SerializeWrites"/> is true.</summary>
    protected virtual TimeSpan WriteQueueTimeout => Timeout.InfiniteTimeSpan;

    /// <summary>Like <see cref="RunAsync"/> for an operation that writes.</summary>
    private async Task<T> RunWriteAsync<T>(Func<DbConnection, Task<T>> operation)
    {
        if (!SerializeWrites)
        {
            return await RunAsync(operation).ConfigureAwait(false);
        }

        // Waiting in the queue counts against the same patience as waiting for a lock: a database locked from outside
        // must not make queued writers fail one busy timeout after another.
        if (!await _writeGate.WaitAsync(WriteQueueTimeout).ConfigureAwait(false))
        {
            throw new StorageUnavailableException($"The database {Describe()} is busy: writes have been queued longer than {WriteQueueTimeout.TotalMilliseconds} ms.");
        }

        try
        {
            return await RunAsync(operation).ConfigureAwait(false);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Opens a connection, runs <paramref name="operation"/> and maps unavailability to <see cref="StorageUnavailableException"/>.</summary>
    private async Task<T> RunAsync<T>(Func<DbConnection, Task<T>> operation)
    {
        try
        {
            await using var connection = await OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
            return await operation(connection).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not StorageUnavailableException && ex is not OperationCanceledException && IsUnavailable(ex))
        {
            throw new StorageUnavailableException($"The database {Describe()} is unavailable: {ex.Message}", ex);
        }
    }

    private static StoredDocument ReadDocument(DbDataReader reader) => new(
        Enum.Parse<DocumentKind>(reader.GetString(0)),
        reader.GetString(1),
        reader.GetInt64(2),
        reader.GetString(3),
        reader.IsDBNull(4) ? null : (byte[])reader.GetValue(4),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)));

    private static string? NullableString(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static string KindName(DocumentKind kind) => kind.ToString();

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, sql);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // Every statement is a constant of this class; values travel as parameters.
        command.CommandText = sql;
#pragma warning restore CA2100
        command.Transaction = transaction;
        return command;
    }

    private static void Add(DbCommand command, string name, string? value) => AddTyped(command, name, DbType.String, value);

    private static void Add(DbCommand command, string name, long? value) => AddTyped(command, name, DbType.Int64, value);

    private static void AddBinary(DbCommand command, string name, byte[]? value) => AddTyped(command, name, DbType.Binary, value);

    private static void AddTyped(DbCommand command, string name, DbType type, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = type;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
