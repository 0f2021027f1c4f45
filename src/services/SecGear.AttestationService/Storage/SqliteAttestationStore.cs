using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace SecGear.AttestationService.Storage;

/// <summary>
/// The embedded store: one SQLite file in WAL mode (readers never wait for the writer), with a busy timeout so short
/// lock contention is waited out and longer locks surface as <see cref="StorageUnavailableException"/>.
/// </summary>
public sealed class SqliteAttestationStore : SqlAttestationStore
{
    private readonly string path;
    private readonly int busyTimeoutMilliseconds;
    private readonly string connectionString;
    private readonly string createConnectionString;
    private volatile bool created;

    /// <summary>Creates a store on the database file <paramref name="path"/> (created by <see cref="SqlAttestationStore.InitializeAsync"/>).</summary>
    /// <param name="path">The database file.</param>
    /// <param name="busyTimeout">How long a statement waits for another writer's lock before the store reports itself unavailable.</param>
    public SqliteAttestationStore(string path, TimeSpan busyTimeout)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        this.path = Path.GetFullPath(path);
        busyTimeoutMilliseconds = (int)Math.Clamp(busyTimeout.TotalMilliseconds, 0, int.MaxValue);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = this.path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = true,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds)),
        };
        connectionString = builder.ToString();
        builder.Mode = SqliteOpenMode.ReadWriteCreate;
        createConnectionString = builder.ToString();
    }

    /// <summary>The database file.</summary>
    public string DatabasePath => path;

    /// <inheritdoc/>
    protected override bool SerializeWrites => true;

    /// <inheritdoc/>
    protected override TimeSpan WriteQueueTimeout => TimeSpan.FromMilliseconds(busyTimeoutMilliseconds);

    /// <inheritdoc/>
    protected override string BinaryType => "BLOB";

    /// <inheritdoc/>
    protected override string AutoIncrementKey => "id INTEGER PRIMARY KEY AUTOINCREMENT";

    /// <inheritdoc/>
    protected override string Describe() => $"'{path}'";

    /// <inheritdoc/>
    protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        // The file is created only by the first open (schema creation). Afterwards a vanished file is an error, not a new
        // empty database, and pooled connections to the unlinked file must not keep writing where nobody will read.
        bool creating = !created;
        if (!creating && !File.Exists(path))
        {
            SqliteConnection.ClearAllPools();
            throw new StorageUnavailableException($"The database file '{path}' is missing.");
        }

        var connection = new SqliteConnection(creating ? createConnectionString : connectionString);
        try
        {
            string? directory = Path.GetDirectoryName(path);
            if (creating && directory is not null && !Directory.Exists(directory))
            {
                throw new StorageUnavailableException($"The database directory '{directory}' does not exist.");
            }

            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            // WAL is a property of the file (set once, outside any transaction); busy timeout and sync level are per connection.
            command.CommandText = (creating ? "PRAGMA journal_mode = WAL; " : string.Empty)
                + $"PRAGMA busy_timeout = {busyTimeoutMilliseconds}; PRAGMA synchronous = NORMAL";
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            created = true;
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc/>
    protected override bool IsUnavailable(Exception exception) => exception switch
    {
        SqliteException sqlite => sqlite.SqliteErrorCode is
            3 /* PERM */ or 5 /* BUSY */ or 6 /* LOCKED */ or 8 /* READONLY */ or 10 /* IOERR */ or 11 /* CORRUPT */
            or 13 /* FULL */ or 14 /* CANTOPEN */ or 23 /* AUTH */ or 26 /* NOTADB */,
        IOException or UnauthorizedAccessException => true,
        _ => false,
    };
}
