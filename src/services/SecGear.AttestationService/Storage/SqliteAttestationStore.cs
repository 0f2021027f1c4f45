using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace SecGear.AttestationService.Storage;

/// <summary>
/// The embedded store: one SQLite file in WAL mode (readers never wait for the writer), with a busy timeout so short
/// lock contention is waited out and longer locks surface as <see cref="StorageUnavailableException"/>.
/// </summary>
public sealed class SqliteAttestationStore : SqlAttestationStore
{
    private readonly string _path;
    private readonly int _busyTimeoutMilliseconds;
    private readonly string _connectionString;
    private readonly string _createConnectionString;
    private volatile bool _created;

    /// <summary>Creates a store on the database file <paramref name="path"/> (created by <see cref="SqlAttestationStore.InitializeAsync"/>).</summary>
    /// <param name="path">The database file.</param>
    /// <param name="busyTimeout">How long a statement waits for another writer's lock before the store reports itself unavailable.</param>
    public SqliteAttestationStore(string path, TimeSpan busyTimeout)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _path = Path.GetFullPath(path);
        _busyTimeoutMilliseconds = (int)Math.Clamp(busyTimeout.TotalMilliseconds, 0, int.MaxValue);
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = true,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(busyTimeout.TotalSeconds)),
        };
        _connectionString = builder.ToString();
        builder.Mode = SqliteOpenMode.ReadWriteCreate;
        _createConnectionString = builder.ToString();
    }

    /// <summary>The database file.</summary>
    public string DatabasePath => _path;

    /// <inheritdoc/>
    protected override bool SerializeWrites => true;

    /// <inheritdoc/>
    protected override TimeSpan WriteQueueTimeout => TimeSpan.FromMilliseconds(_busyTimeoutMilliseconds);

    /// <inheritdoc/>
    protected override string BinaryType => "BLOB";

    /// <inheritdoc/>
    protected override string AutoIncrementKey => "id INTEGER PRIMARY KEY AUTOINCREMENT";

    /// <inheritdoc/>
    protected override string Describe() => $"'{_path}'";

    /// <inheritdoc/>
    protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        // The file is created only by the first open (schema creation). Afterwards a vanished file is an error, not a new
        // empty database, and pooled connections to the unlinked file must not keep writing where nobody will read.
        bool creating = !_created;
        if (!creating && !File.Exists(_path))
        {
            SqliteConnection.ClearAllPools();
            throw new StorageUnavailableException($"The database file '{_path}' is missing.");
        }

        var connection = new SqliteConnection(creating ? _createConnectionString : _connectionString);
        try
        {
            string? directory = Path.GetDirectoryName(_path);
            if (creating && directory is not null && !Directory.Exists(directory))
            {
                throw new StorageUnavailableException($"The database directory '{directory}' does not exist.");
            }

            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            // WAL is a property of the file (set once, outside any transaction); busy timeout and sync level are per connection.
            command.CommandText = (creating ? "PRAGMA journal_mode = WAL; " : string.Empty)
                + $"PRAGMA busy_timeout = {_busyTimeoutMilliseconds}; PRAGMA synchronous = NORMAL";
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            _created = true;
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
