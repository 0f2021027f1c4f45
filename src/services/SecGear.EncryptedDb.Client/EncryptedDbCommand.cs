using SecGear.EncryptedDb.Client.Sql;

namespace SecGear.EncryptedDb.Client;

/// <summary>
/// A SQL statement of the supported subset (docs/encrypted-db.md) with <c>@name</c> parameters. Parameters compared
/// with or stored into encrypted columns are encrypted on the client; results are decrypted transparently.
/// </summary>
public sealed class EncryptedDbCommand
{
    private readonly EncryptedDbConnection _connection;

    internal EncryptedDbCommand(EncryptedDbConnection connection, string sql)
    {
        _connection = connection;
        CommandText = sql;
    }

    /// <summary>The SQL text.</summary>
    public string CommandText { get; set; }

    /// <summary>Parameter values by name (without '@'; names are case-insensitive).</summary>
    public Dictionary<string, object?> Parameters { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Where the last SELECT ran.</summary>
    public QueryRoute? LastRoute { get; private set; }

    /// <summary>Adds a parameter value (long, int, decimal, string, DateOnly or null).</summary>
    public EncryptedDbCommand AddParameter(string name, object? value)
    {
        Parameters[name.TrimStart('@')] = value;
        return this;
    }

    /// <summary>Runs a SELECT and returns its decrypted rows.</summary>
    public async Task<EncryptedDbDataReader> ExecuteReaderAsync(CancellationToken cancellationToken = default)
    {
        if (SqlParser.Parse(CommandText) is not SqlSelect select)
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.UnsupportedSql, "ExecuteReaderAsync runs SELECT statements; use ExecuteNonQueryAsync for INSERT, UPDATE and DELETE");
        }

        (EncryptedDbDataReader reader, QueryRoute route) = await _connection.QueryAsync(select, Lowered(), cancellationToken).ConfigureAwait(false);
        LastRoute = route;
        return reader;
    }

    /// <summary>
    /// Runs an INSERT, UPDATE or DELETE and returns the rows written, or DDL (CREATE CLIENT MASTER KEY, CREATE
    /// COLUMN ENCRYPTION KEY, CREATE TABLE with ENCRYPTED WITH columns; returns 0). UPDATE and DELETE whose WHERE needs the enclave
    /// lock the candidate rows, let the enclave pick the matching ones, and write them in the same transaction.
    /// </summary>
    public Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken = default) => SqlParser.Parse(CommandText) switch
    {
        SqlInsert insert => _connection.InsertAsync(insert, Lowered(), cancellationToken),
        SqlUpdate update => _connection.UpdateAsync(update, Lowered(), cancellationToken),
        SqlDelete delete => _connection.DeleteAsync(delete, Lowered(), cancellationToken),
        SqlCreateMasterKey cmk => _connection.CreateMasterKeyAsync(cmk, cancellationToken),
        SqlCreateColumnKey cek => _connection.CreateColumnKeyAsync(cek, cancellationToken),
        SqlCreateTable table => _connection.CreateTableAsync(table, cancellationToken),
        _ => throw new EncryptedDbException(EncryptedDbFailureCode.UnsupportedSql, "ExecuteNonQueryAsync runs INSERT, UPDATE and DELETE; use ExecuteReaderAsync for SELECT"),
    };

    /// <summary>Runs a SELECT and returns the first column of the first row (null when there is none).</summary>
    public async Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken = default)
    {
        EncryptedDbDataReader reader = await ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return reader.Rows.Count > 0 ? reader.Rows[0][0] : null;
    }

    private Dictionary<string, object?> Lowered() => Parameters.ToDictionary(p => p.Key.ToLowerInvariant(), p => p.Value, StringComparer.Ordinal);
}
