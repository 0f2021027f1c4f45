using System.Security.Cryptography;
using Npgsql;
using NpgsqlTypes;
using SecGear.EncryptedDb.Client.Sql;

namespace SecGear.EncryptedDb.Client;

/// <summary>
/// A connection to a PostgreSQL database with encrypted columns: wraps an <see cref="NpgsqlConnection"/>, keeps the
/// catalog, unwraps column keys with the client master key, and opens the attested link to the query enclave when a
/// query first needs it. Not thread-safe (like <see cref="NpgsqlConnection"/>).
/// </summary>
public sealed class EncryptedDbConnection : IAsyncDisposable
{
    private readonly EncryptedDbOptions _options;
    private readonly NpgsqlConnection _connection;
    private readonly Dictionary<string, byte[]> _ceks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ColumnKey> _keys = new(StringComparer.Ordinal);
    private Dictionary<string, TableSchema>? _tables;
    private EnclaveLink? _link;

    /// <summary>Creates a connection (not opened yet).</summary>
    public EncryptedDbConnection(EncryptedDbOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _connection = new NpgsqlConnection(options.ConnectionString);
    }

    /// <summary>The underlying PostgreSQL connection (what a DBA sees: ciphertext).</summary>
    public NpgsqlConnection Database => _connection;

    /// <summary>Opens the PostgreSQL connection and makes sure the catalog tables exist.</summary>
    public async Task OpenAsync(CancellationToken cancellationToken = default)
    {
        await _connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await EncryptedDbCatalog.EnsureAsync(_connection, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates a command.</summary>
    public EncryptedDbCommand CreateCommand(string sql) => new(this, sql);

    /// <summary>
    /// Creates a client master key in a new local key file (mode 0600) and records its name and path in the catalog
    /// (the catalog never holds the key).
    /// </summary>
    public async Task CreateMasterKeyAsync(string name, string keyFilePath, CancellationToken cancellationToken = default)
    {
        EncryptedDbCatalog.CheckName(name, "master key");
        MasterKeyFile.Create(keyFilePath);
        await using var command = new NpgsqlCommand("INSERT INTO encdb_master_keys (name, key_store, key_path) VALUES ($1, $2, $3)", _connection);
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        command.Parameters.Add(new NpgsqlParameter { Value = MasterKeyFile.KeyStore });
        command.Parameters.Add(new NpgsqlParameter { Value = Path.GetFullPath(keyFilePath) });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates a column encryption key: 32 random bytes, stored in the catalog wrapped under the master key.</summary>
    public async Task CreateColumnKeyAsync(string name, string masterKeyName, CancellationToken cancellationToken = default)
    {
        EncryptedDbCatalog.CheckName(name, "column key");
        string path;
        string store;
        await using (var find = new NpgsqlCommand("SELECT key_store, key_path FROM encdb_master_keys WHERE name = $1", _connection))
        {
            find.Parameters.Add(new NpgsqlParameter { Value = masterKeyName });
            await using NpgsqlDataReader reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new EncryptedDbException(EncryptedDbFailureCode.KeyUnavailable, $"no client master key named '{masterKeyName}'");
            }

            (store, path) = (reader.GetString(0), reader.GetString(1));
        }

        byte[] master = ResolveMasterKey(store, path);
        byte[] cek = ColumnKey.Generate();
        try
        {
            await using var command = new NpgsqlCommand("INSERT INTO encdb_column_keys (name, master_key, algorithm, wrapped) VALUES ($1, $2, $3, $4)", _connection);
            command.Parameters.Add(new NpgsqlParameter { Value = name });
            command.Parameters.Add(new NpgsqlParameter { Value = masterKeyName });
            command.Parameters.Add(new NpgsqlParameter { Value = ColumnKeyWrap.Algorithm });
            command.Parameters.Add(new NpgsqlParameter { Value = ColumnKeyWrap.Wrap(master, cek, name, masterKeyName) });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(master);
            CryptographicOperations.ZeroMemory(cek);
        }
    }

    /// <summary>
    /// Creates a table whose encrypted columns are <c>bytea</c> in PostgreSQL and records it in the catalog.
    /// <paramref name="rowIdColumn"/> must be a plaintext bigint or text column whose values are unique and never change:
    /// randomized cells are bound to it.
    /// </summary>
    public async Task CreateTableAsync(string name, string rowIdColumn, IReadOnlyList<ColumnDefinition> columns, CancellationToken cancellationToken = default)
    {
        EncryptedDbCatalog.CheckName(name, "table");
        ArgumentNullException.ThrowIfNull(columns);
        ColumnDefinition rowId = columns.FirstOrDefault(c => c.Name == rowIdColumn)
            ?? throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, $"the row-id column '{rowIdColumn}' is not among the columns");
        if (rowId.Encryption != EncryptionType.Plain || rowId.Type is not (DbValueType.Int64 or DbValueType.Text))
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, "the row-id column must be a plaintext bigint or text column");
        }

        foreach (ColumnDefinition c in columns)
        {
            EncryptedDbCatalog.CheckName(c.Name, "column");
            if ((c.Encryption == EncryptionType.Plain) != (c.KeyName is null))
            {
                throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, $"column '{c.Name}': encrypted columns need a column key, plaintext ones have none");
            }

            if (c.Domain is not null && c.Encryption != EncryptionType.Deterministic)
            {
                throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, $"column '{c.Name}': only deterministic columns have an equality domain");
            }
        }

        string ddl = $"CREATE TABLE {name} ({string.Join(", ", columns.Select(c => $"{c.Name} {EncryptedDbCatalog.SqlType(c.Type, c.Encryption)}{(c.Name == rowIdColumn ? " PRIMARY KEY" : "")}"))})";
        await using NpgsqlTransaction transaction = await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var create = new NpgsqlCommand(ddl, _connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var table = new NpgsqlCommand("INSERT INTO encdb_tables (table_name, row_id_column) VALUES ($1, $2)", _connection, transaction))
        {
            table.Parameters.Add(new NpgsqlParameter { Value = name });
            table.Parameters.Add(new NpgsqlParameter { Value = rowIdColumn });
            await table.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        for (int i = 0; i < columns.Count; i++)
        {
            ColumnDefinition c = columns[i];
            await using var column = new NpgsqlCommand("INSERT INTO encdb_columns (table_name, column_name, ordinal, data_type, encryption, column_key, domain) VALUES ($1, $2, $3, $4, $5, $6, $7)", _connection, transaction);
            column.Parameters.Add(new NpgsqlParameter { Value = name });
            column.Parameters.Add(new NpgsqlParameter { Value = c.Name });
            column.Parameters.Add(new NpgsqlParameter { Value = i });
            column.Parameters.Add(new NpgsqlParameter { Value = (short)c.Type });
            column.Parameters.Add(new NpgsqlParameter { Value = (short)c.Encryption });
            column.Parameters.Add(new NpgsqlParameter { Value = (object?)c.KeyName ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            column.Parameters.Add(new NpgsqlParameter { Value = (object?)c.Domain ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            await column.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        _tables = null;
    }

    /// <summary>
    /// Bulk-loads rows with PostgreSQL's binary COPY, encrypting each encrypted column on the client. Values are given
    /// in <paramref name="columns"/> order (long, decimal, string, DateOnly or null); returns the rows written.
    /// </summary>
    public async Task<ulong> ImportAsync(string table, IReadOnlyList<string> columns, IEnumerable<object?[]> rows, CancellationToken cancellationToken = default)
    {
        TableSchema schema = await TableAsync(table, cancellationToken).ConfigureAwait(false);
        ColumnSchema[] targets = [.. columns.Select(c => schema.Find(c) ?? throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, $"no column '{c}' in table '{table}'"))];
        int rowIdIndex = Array.FindIndex(targets, c => c.Name == schema.RowIdColumn);
        if (rowIdIndex < 0 && targets.Any(c => c.Encryption == EncryptionType.Randomized))
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, $"rows with randomized columns must include the row-id column '{schema.RowIdColumn}'");
        }

        var encoders = await EncodersAsync(targets, cancellationToken).ConfigureAwait(false);
        await using NpgsqlBinaryImporter importer = await _connection.BeginBinaryImportAsync(
            $"COPY {table} ({string.Join(", ", targets.Select(c => c.Name))}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        foreach (object?[] row in rows)
        {
            if (row.Length != targets.Length)
            {
                throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, $"a row of {row.Length} values for {targets.Length} columns");
            }

            byte[] rowId = rowIdIndex >= 0 && row[rowIdIndex] is { } id ? ValueCodec.Encode(QueryPlanner.Coerce(id, targets[rowIdIndex])!) : [];
            await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < targets.Length; i++)
            {
                object? stored = encoders[i](row[i], rowId);
                if (stored is null)
                {
                    await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await importer.WriteAsync(stored, TypeOf(targets[i]), cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends the enclave session (the enclave forgets this connection's keys) and closes the connections.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_link is not null)
        {
            await _link.DisposeAsync().ConfigureAwait(false);
        }

        foreach (ColumnKey key in _keys.Values)
        {
            key.Dispose();
        }

        foreach (byte[] cek in _ceks.Values)
        {
            CryptographicOperations.ZeroMemory(cek);
        }

        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    internal async Task<(EncryptedDbDataReader Reader, QueryRoute Route)> QueryAsync(SqlSelect select, IReadOnlyDictionary<string, object?> parameters, CancellationToken cancellationToken)
    {
        Dictionary<string, TableSchema> tables = await TablesAsync(cancellationToken).ConfigureAwait(false);
        foreach (string table in QueryPlanner.TablesOf(select))
        {
            if (tables.TryGetValue(table, out TableSchema? schema))
            {
                await LoadKeysAsync(schema.Columns, cancellationToken).ConfigureAwait(false);
            }
        }

        PlannedQuery planned = new QueryPlanner(tables, parameters, name => _keys[name]).Plan(select);
        if (planned is EnclaveQuery enclaveQuery)
        {
            _link ??= await EnclaveLink.ConnectAsync(_options, cancellationToken).ConfigureAwait(false);
            try
            {
                QueryResult result = await _link.RunAsync(enclaveQuery, name => _ceks[name], cancellationToken).ConfigureAwait(false);
                return (new EncryptedDbDataReader(planned.ColumnNames, result.Rows), QueryRoute.Enclave);
            }
            catch (EncryptedDbException ex) when (ex.Code == EncryptedDbFailureCode.ServiceFailure && ex.InnerException is not null)
            {
                // The channel or the query connection broke (service restart, idle timeout): the next query attests
                // the enclave again on fresh connections and re-sends its keys.
                await _link.DisposeAsync().ConfigureAwait(false);
                _link = null;
                throw;
            }
        }

        var direct = (DirectQuery)planned;
        await using var command = new NpgsqlCommand(direct.Sql, _connection);
        foreach (object value in direct.Parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        var rows = new List<object?[]>();
        await using (NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var row = new object?[direct.Decoders.Count];
                for (int i = 0; i < row.Length; i++)
                {
                    row[i] = Decode(reader, direct.Decoders[i]);
                }

                rows.Add(row);
            }
        }

        return (new EncryptedDbDataReader(direct.ColumnNames, rows), QueryRoute.Database);
    }

    internal async Task<int> InsertAsync(SqlInsert insert, IReadOnlyDictionary<string, object?> parameters, CancellationToken cancellationToken)
    {
        TableSchema schema = await TableAsync(insert.Table, cancellationToken).ConfigureAwait(false);
        var rows = insert.Rows.Select(r => r.Select(v => v switch
        {
            SqlLiteral l => l.Value,
            SqlParameter p => parameters.TryGetValue(p.Name, out object? value) ? value : throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, $"invalid query: no value for parameter @{p.Name}"),
            _ => throw new EncryptedDbException(EncryptedDbFailureCode.UnsupportedSql, "VALUES may hold literals and parameters only"),
        }).ToArray()).ToList();
        ColumnSchema[] targets = [.. insert.Columns.Select(c => schema.Find(c) ?? throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, $"invalid query: no column '{c}' in table '{insert.Table}'"))];
        int rowIdIndex = Array.FindIndex(targets, c => c.Name == schema.RowIdColumn);
        if (rowIdIndex < 0 && targets.Any(c => c.Encryption == EncryptionType.Randomized))
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, $"invalid query: an INSERT with randomized columns must set the row-id column '{schema.RowIdColumn}'");
        }

        var encoders = await EncodersAsync(targets, cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand { Connection = _connection };
        var values = new List<string>();
        foreach (object?[] row in rows)
        {
            byte[] rowId = rowIdIndex >= 0 && row[rowIdIndex] is { } id ? ValueCodec.Encode(QueryPlanner.Coerce(id, targets[rowIdIndex])!) : [];
            var slots = new List<string>();
            for (int i = 0; i < targets.Length; i++)
            {
                object? stored = encoders[i](row[i], rowId);
                command.Parameters.Add(new NpgsqlParameter { Value = stored ?? DBNull.Value, NpgsqlDbType = TypeOf(targets[i]) });
                slots.Add("$" + command.Parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            values.Add("(" + string.Join(", ", slots) + ")");
        }

        command.CommandText = $"INSERT INTO {insert.Table} ({string.Join(", ", targets.Select(t => t.Name))}) VALUES {string.Join(", ", values)}";
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private object? Decode(NpgsqlDataReader reader, OutputDecoder decoder)
    {
        if (reader.IsDBNull(decoder.Raw))
        {
            return null;
        }

        if (decoder.Column is not { Encryption: not EncryptionType.Plain } column)
        {
            return reader.GetDataTypeName(decoder.Raw) == "date" ? reader.GetFieldValue<DateOnly>(decoder.Raw) : QueryPlanner.Coerce(reader.GetValue(decoder.Raw), null);
        }

        byte[] rowId = column.Encryption == EncryptionType.Randomized
            ? ValueCodec.Encode(QueryPlanner.Coerce(reader.GetValue(decoder.RowIdRaw), null)!)
            : [];
        object value = _keys[column.KeyName!].DecryptValue(reader.GetFieldValue<byte[]>(decoder.Raw), column.Binding(), rowId);
        return value;
    }

    private async Task<Func<object?, byte[], object?>[]> EncodersAsync(ColumnSchema[] targets, CancellationToken cancellationToken)
    {
        await LoadKeysAsync(targets, cancellationToken).ConfigureAwait(false);
        return [.. targets.Select(c => c.Encryption == EncryptionType.Plain
            ? (Func<object?, byte[], object?>)((value, _) => QueryPlanner.Coerce(value, c))
            : (value, rowId) =>
            {
                object? typed = QueryPlanner.Coerce(value, c);
                if (typed is null)
                {
                    return null;
                }

                if (ValueCodec.TypeOf(typed) != c.Type)
                {
                    throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, $"invalid query: a {typed.GetType().Name} for {c.Table}.{c.Name} ({c.Type})");
                }

                CellBinding binding = c.Binding();
                return _keys[c.KeyName!].Encrypt(ValueCodec.Encode(typed), binding, c.Encryption == EncryptionType.Randomized ? rowId : default);
            })];
    }

    private static NpgsqlDbType TypeOf(ColumnSchema column) => column.Encryption != EncryptionType.Plain ? NpgsqlDbType.Bytea : column.Type switch
    {
        DbValueType.Int64 => NpgsqlDbType.Bigint,
        DbValueType.Numeric => NpgsqlDbType.Numeric,
        DbValueType.Text => NpgsqlDbType.Text,
        _ => NpgsqlDbType.Date,
    };

    private async Task LoadKeysAsync(IEnumerable<ColumnSchema> columns, CancellationToken cancellationToken)
    {
        foreach (string name in columns.Where(c => c.KeyName is not null).Select(c => c.KeyName!).Distinct())
        {
            if (_keys.ContainsKey(name))
            {
                continue;
            }

            (string masterKey, string store, string path, byte[] wrapped) = await EncryptedDbCatalog.LoadColumnKeyAsync(_connection, name, cancellationToken).ConfigureAwait(false);
            byte[] master = ResolveMasterKey(store, path);
            try
            {
                byte[] cek = ColumnKeyWrap.Unwrap(master, wrapped, name, masterKey);
                _ceks[name] = cek;
                _keys[name] = new ColumnKey(cek);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(master);
            }
        }
    }

    private byte[] ResolveMasterKey(string store, string path)
    {
        if (_options.MasterKeyResolver is { } resolver)
        {
            return resolver(store, path);
        }

        return store == MasterKeyFile.KeyStore
            ? MasterKeyFile.Load(path)
            : throw new EncryptedDbException(EncryptedDbFailureCode.KeyUnavailable, $"the master key store '{store}' is not supported (only '{MasterKeyFile.KeyStore}'; the crypto module is not supported yet)");
    }

    private async Task<Dictionary<string, TableSchema>> TablesAsync(CancellationToken cancellationToken) =>
        _tables ??= await EncryptedDbCatalog.LoadTablesAsync(_connection, cancellationToken).ConfigureAwait(false);

    private async Task<TableSchema> TableAsync(string table, CancellationToken cancellationToken) =>
        (await TablesAsync(cancellationToken).ConfigureAwait(false)).GetValueOrDefault(table)
            ?? throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, $"invalid query: no encrypted-database table '{table}'");
}
