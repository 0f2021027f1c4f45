using System.Data.Common;
using Npgsql;

namespace SecGear.AttestationService.Storage;

/// <summary>
/// The shared store: PostgreSQL through one pooled <see cref="NpgsqlDataSource"/>. Several stateless service instances
/// may use the same database (with the same master key): challenges, documents and signing keys are all in it.
/// </summary>
public sealed class PostgresAttestationStore : SqlAttestationStore, IAsyncDisposable, IDisposable
{
    // Any constant identifies the schema lock; instances that start together take turns creating the tables.
    private const long SchemaLockId = 0x5EC6EA7A5;

    // Instances that decide to rotate the signing key at the same moment take turns; the second sees the first's key.
    private const long SigningKeysLockId = 0x5EC6EA7A6;

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _description;

    /// <summary>Creates a store on the database named by an Npgsql connection string.</summary>
    public PostgresAttestationStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        _description = $"postgresql://{builder.Host}:{builder.Port}/{builder.Database}";
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    /// <inheritdoc/>
    protected override string BinaryType => "BYTEA";

    /// <inheritdoc/>
    protected override string AutoIncrementKey => "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";

    /// <inheritdoc/>
    protected override string Describe() => _description;

    /// <inheritdoc/>
    protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    protected override async Task LockSchemaAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT pg_advisory_xact_lock({SchemaLockId})";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override async Task LockSigningKeysAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT pg_advisory_xact_lock({SigningKeysLockId})";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override bool IsUnavailable(Exception exception) => exception switch
    {
        // Connection, resource, operator and system errors, a missing database and refused logins: the server cannot serve now.
        PostgresException postgres => postgres.SqlState.Length >= 2 && postgres.SqlState[..2] is "08" or "53" or "57" or "58" or "3D" or "28",
        NpgsqlException or TimeoutException or IOException or System.Net.Sockets.SocketException => true,
        _ => false,
    };

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <inheritdoc/>
    public void Dispose() => _dataSource.Dispose();
}
