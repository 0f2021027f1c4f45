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
    // Statements lock their rows in row-id order, so two of them locking overlapping rows wait for each other instead
    // of deadlocking.
    private const string LockInRowIdOrder = " ORDER BY 1 FOR UPDATE";

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

    /// <summary>
    /// Test seam: runs after an UPDATE or DELETE whose WHERE needs the enclave locked its candidate rows and before the
    /// query service reads them (lets a test commit a concurrent write in exactly that window).
    /// </summary>
    internal Func<CancellationToken, Task>? AfterRowsLocked { get; set; }

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

    /// <summary>
    /// Records a client master key kept in the TEE crypto module (<see cref="EncryptedDbOptions.CryptoModule"/>):
    /// module key <paramref name="moduleKeyId"/> (AES-256, usage Encrypt) is created if it does not exist. The key
    /// never leaves the module; the catalog records its id only.
    /// </summary>
    public async Task CreateMasterKeyInCryptoModuleAsync(string name, string moduleKeyId, CancellationToken cancellationToken = default)
    {
        EncryptedDbCatalog.CheckName(name, "master key");
        ArgumentException.ThrowIfNullOrEmpty(moduleKeyId);
        await CryptoModuleMasterKeys.EnsureKeyAsync(Module(), moduleKeyId, cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("INSERT INTO encdb_master_keys (name, key_store, key_path) VALUES ($1, $2, $3)", _connection);
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        command.Parameters.Add(new NpgsqlParameter { Value = CryptoModuleMasterKeys.KeyStore });
        command.Parameters.Add(new NpgsqlParameter { Value = moduleKeyId });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    internal async Task<int> CreateMasterKeyAsync(SqlCreateMasterKey ddl, CancellationToken cancellationToken)
    {
        switch (ddl.KeyStore)
        {
            case MasterKeyFile.KeyStore:
                await CreateMasterKeyAsync(ddl.Name, ddl.KeyPath, cancellationToken).ConfigureAwait(false);
                break;
            case CryptoModuleMasterKeys.KeyStore:
                await CreateMasterKeyInCryptoModuleAsync(ddl.Name, ddl.KeyPath, cancellationToken).ConfigureAwait(false);
                break;
            default:
                throw new EncryptedDbException(EncryptedDbFailureCode.UnsupportedSql, $"SQL outside the supported subset: KEY_STORE = {ddl.KeyStore} ('{MasterKeyFile.KeyStore}' or '{CryptoModuleMasterKeys.KeyStore}')");
        }

        return 0;
    }

    internal async Task<int> CreateColumnKeyAsync(SqlCreateColumnKey ddl, CancellationToken cancellationToken)
    {
        await CreateColumnKeyAsync(ddl.Name, ddl.MasterKey, cancellationToken).ConfigureAwait(false);
        return 0;
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

        byte[] cek = ColumnKey.Generate();
        try
        {
            byte[] wrapped = await WrapColumnKeyAsync(store, path, cek, name, masterKeyName, cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("INSERT INTO encdb_column_keys (name, master_key, algorithm, wrapped) VALUES ($1, $2, $3, $4)", _connection);
            command.Parameters.Add(new NpgsqlParameter { Value = name });
            command.Parameters.Add(new NpgsqlParameter { Value = masterKeyName });
            command.Parameters.Add(new NpgsqlParameter { Value = ColumnKeyWrap.Algorithm });
            command.Parameters.Add(new NpgsqlParameter { Value = wrapped });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(cek);
        }
    }

    internal async Task<int> CreateTableAsync(SqlCreateTable ddl, CancellationToken cancellationToken)
    {
        await CreateTableAsync(ddl.Name, ddl.RowIdColumn, ddl.Columns, cancellationToken).ConfigureAwait(false);
        return 0;
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
            if (c.Name is TableSchema.TagsColumn or RowReference.VersionColumn)
            {
                throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, $"the column name '{c.Name}' is reserved for the row tags and the row version");
            }

            if ((c.Encryption == EncryptionType.Plain) != (c.KeyName is null))
            {
                throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, $"column '{c.Name}': encrypted columns need a column key, plaintext ones have none");
            }

            if (c.Domain is not null && c.Encryption != EncryptionType.Deterministic)
            {
                throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, $"column '{c.Name}': only deterministic columns have an equality domain");
            }
        }

        // Tables with deterministic columns keep a row tag per deterministic cell (docs/encrypted-db.md, "Row tags").
        bool rowTags = columns.Any(c => c.Encryption == EncryptionType.Deterministic);
        string ddl = $"CREATE TABLE {name} ({string.Join(", ", columns.Select(c => $"{c.Name} {EncryptedDbCatalog.SqlType(c.Type, c.Encryption)}{(c.Name == rowIdColumn ? " PRIMARY KEY" : "")}"))}"
            + (rowTags ? $", {TableSchema.TagsColumn} bytea" : "") + $", {RowReference.VersionColumn} bigint NOT NULL)";
        await using NpgsqlTransaction transaction = await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var create = new NpgsqlCommand(ddl, _connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var table = new NpgsqlCommand("INSERT INTO encdb_tables (table_name, row_id_column, row_tags) VALUES ($1, $2, $3)", _connection, transaction))
        {
            table.Parameters.Add(new NpgsqlParameter { Value = name });
            table.Parameters.Add(new NpgsqlParameter { Value = rowIdColumn });
            table.Parameters.Add(new NpgsqlParameter { Value = rowTags });
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
        int rowIdIndex = RowIdIndex(schema, targets);
        var encoders = await EncodersAsync(targets, cancellationToken).ConfigureAwait(false);
        await LoadKeysAsync(schema.Columns, cancellationToken).ConfigureAwait(false);
        var tags = new RowTagWriter(schema, name => _keys[name]);
        await using NpgsqlBinaryImporter importer = await _connection.BeginBinaryImportAsync(
            $"COPY {table} ({string.Join(", ", targets.Select(c => c.Name).Concat(tags.Active ? [TableSchema.TagsColumn] : []).Append(RowReference.VersionColumn))}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        foreach (object?[] row in rows)
        {
            if (row.Length != targets.Length)
            {
                throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, $"a row of {row.Length} values for {targets.Length} columns");
            }

            long version = RowReference.NewVersion();
            byte[] reference = RowReferenceOf(rowIdIndex >= 0 ? row[rowIdIndex] : null, rowIdIndex >= 0 ? targets[rowIdIndex] : null, version);
            await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            object?[] stored = new object?[targets.Length];
            for (int i = 0; i < targets.Length; i++)
            {
                stored[i] = encoders[i](row[i], reference);
                if (stored[i] is null)
                {
                    await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await importer.WriteAsync(stored[i], TypeOf(targets[i]), cancellationToken).ConfigureAwait(false);
                }
            }

            if (tags.Active)
            {
                await importer.WriteAsync(tags.Row(reference, c => StoredCell(targets, stored, c)), NpgsqlDbType.Bytea, cancellationToken).ConfigureAwait(false);
            }

            await importer.WriteAsync(version, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
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

        PlannedQuery planned = new QueryPlanner(tables, parameters, name => _keys[name], _options.VerifiedAggregates).Plan(select);
        if (planned is EnclaveQuery enclaveQuery)
        {
            return (new EncryptedDbDataReader(planned.ColumnNames, await RunEnclaveAsync(enclaveQuery, cancellationToken).ConfigureAwait(false)), QueryRoute.Enclave);
        }

        return (new EncryptedDbDataReader(planned.ColumnNames, await RunDirectAsync((DirectQuery)planned, null, null, cancellationToken).ConfigureAwait(false)), QueryRoute.Database);
    }

    internal async Task<int> DeleteAsync(SqlDelete delete, IReadOnlyDictionary<string, object?> parameters, CancellationToken cancellationToken)
    {
        (TableSchema schema, PlannedQuery match) = await PlanMatchAsync(delete.Table, delete.Where, parameters, cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        int count;
        if (match is DirectQuery direct)
        {
            await using var command = new NpgsqlCommand($"DELETE FROM {schema.Name} {schema.Name}{(direct.WhereSql is null ? "" : " WHERE " + direct.WhereSql)}", _connection, transaction);
            AddParameters(command, direct.Parameters);
            count = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            List<object> ids = await MatchingRowIdsAsync(schema, (EnclaveQuery)match, transaction, cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand($"DELETE FROM {schema.Name} WHERE {schema.RowIdColumn} = ANY($1)", _connection, transaction);
            command.Parameters.Add(RowIdArray(schema, ids));
            count = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return count;
    }

    internal async Task<int> UpdateAsync(SqlUpdate update, IReadOnlyDictionary<string, object?> parameters, CancellationToken cancellationToken)
    {
        (TableSchema schema, PlannedQuery match) = await PlanMatchAsync(update.Table, update.Where, parameters, cancellationToken).ConfigureAwait(false);
        var assignments = new List<(ColumnSchema Column, object? Value)>();
        foreach (SqlAssignment assignment in update.Assignments)
        {
            ColumnSchema column = schema.Find(assignment.Column) ?? throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, $"invalid query: no column '{assignment.Column}' in table '{schema.Name}'");
            if (column.Name == schema.RowIdColumn)
            {
                throw new EncryptedDbException(EncryptedDbFailureCode.UnsupportedSql, $"SQL outside the supported subset: UPDATE of the row-id column '{column.Name}' (encrypted cells and row tags are bound to it; delete and insert the row instead)");
            }

            if (assignments.Any(a => a.Column.Name == column.Name))
            {
                throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, $"invalid query: column '{column.Name}' is set twice");
            }

            object? value = assignment.Value switch
            {
                SqlLiteral l => l.Value,
                SqlParameter p => parameters.TryGetValue(p.Name, out object? v) ? v : throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, $"invalid query: no value for parameter @{p.Name}"),
                _ => throw new EncryptedDbException(EncryptedDbFailureCode.UnsupportedSql, "SQL outside the supported subset: SET takes literals and parameters only"),
            };
            object? typed = QueryPlanner.Coerce(value, column);
            if (typed is not null && ValueCodec.TypeOf(typed) != column.Type)
            {
                throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, $"invalid query: a {typed.GetType().Name} for {column.Table}.{column.Name} ({column.Type})");
            }

            assignments.Add((column, typed));
        }

        // Every encrypted cell of a row is bound to the row's version (RowReference), so an UPDATE that writes an
        // encrypted column re-binds all of the row's encrypted cells to the next version. One that sets plaintext
        // columns only leaves them (plaintext columns are not bound to anything).
        bool rebind = assignments.Any(a => a.Column.Encryption != EncryptionType.Plain);

        // One transaction: the rows are found and locked, then written; any failure (an integrity failure in the
        // enclave or in a cell read back, a broken connection, a constraint) rolls everything back, so a failed UPDATE
        // changes nothing.
        await using NpgsqlTransaction transaction = await _connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand { Connection = _connection, Transaction = transaction };
        string Slot(object? value, NpgsqlDbType type)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value, NpgsqlDbType = type });
            return "$" + command.Parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        List<(ColumnSchema Column, object? Value)> plain = [.. assignments.Where(a => a.Column.Encryption == EncryptionType.Plain)];
        if (!rebind && match is DirectQuery plainMatch)
        {
            AddParameters(command, plainMatch.Parameters);
            string sets = string.Join(", ", plain.Select(a => $"{a.Column.Name} = {Slot(a.Value, TypeOf(a.Column))}"));
            command.CommandText = $"UPDATE {schema.Name} {schema.Name} SET {sets}{(plainMatch.WhereSql is null ? "" : " WHERE " + plainMatch.WhereSql)}";
            int direct = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return direct;
        }

        List<object> ids = match is DirectQuery directMatch
            ? [.. (await RunDirectAsync(directMatch, transaction, LockInRowIdOrder, cancellationToken).ConfigureAwait(false)).Select(r => QueryPlanner.Coerce(r[0]!, schema.RowId)!)]
            : await MatchingRowIdsAsync(schema, (EnclaveQuery)match, transaction, cancellationToken).ConfigureAwait(false);
        if (ids.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return 0;
        }

        var setList = plain.Select(a => $"{a.Column.Name} = {Slot(a.Value, TypeOf(a.Column))}").ToList();
        var arrays = new List<string> { Slot(RowIdArray(schema, ids).Value, schema.RowId.Type == DbValueType.Int64 ? NpgsqlDbType.Array | NpgsqlDbType.Bigint : NpgsqlDbType.Array | NpgsqlDbType.Text) };
        var names = new List<string> { "row_id" };
        void PerRow(string column, object values, NpgsqlDbType type)
        {
            arrays.Add(Slot(values, NpgsqlDbType.Array | type));
            names.Add("v" + names.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            setList.Add($"{column} = v.{names[^1]}");
        }

        if (rebind)
        {
            RowRewrite rewrite = await RebindRowsAsync(schema, assignments.Where(a => a.Column.Encryption != EncryptionType.Plain).ToList(), ids, transaction, cancellationToken).ConfigureAwait(false);
            foreach ((ColumnSchema column, byte[]?[] cells) in rewrite.Cells)
            {
                PerRow(column.Name, cells, NpgsqlDbType.Bytea);
            }

            if (rewrite.Tags is not null)
            {
                PerRow(TableSchema.TagsColumn, rewrite.Tags, NpgsqlDbType.Bytea);
            }

            PerRow(RowReference.VersionColumn, rewrite.Versions, NpgsqlDbType.Bigint);
        }

        command.CommandText = $"UPDATE {schema.Name} t SET {string.Join(", ", setList)} FROM unnest({string.Join(", ", arrays)}) AS v({string.Join(", ", names)}) WHERE t.{schema.RowIdColumn} = v.row_id";
        int updated = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        if (updated != ids.Count)
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.ServiceFailure, $"the UPDATE wrote {updated} of {ids.Count} locked rows; nothing was changed");
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return updated;
    }

    // Reads the locked rows' encrypted cells and versions, checks every cell the UPDATE keeps against the current
    // version (randomized cells decrypt, deterministic cells match their row tag: an altered or rolled-back cell is
    // refused, never re-encrypted into a valid one; cells the UPDATE overwrites are not read), and returns each row's
    // encrypted cells and row tags bound to the next version, with the assigned values in place.
    private async Task<RowRewrite> RebindRowsAsync(TableSchema schema, List<(ColumnSchema Column, object? Value)> assigned, List<object> ids, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        ColumnSchema[] encrypted = [.. schema.Columns.Where(c => c.Encryption != EncryptionType.Plain)];
        ColumnSchema[] kept = [.. encrypted.Where(c => assigned.All(a => a.Column.Name != c.Name))];
        var current = new Dictionary<object, (long Version, byte[]?[] Cells, byte[]? Tags)>();
        string columns = string.Join(string.Empty, kept.Select(c => ", " + c.Name)) + (schema.RowTags ? ", " + TableSchema.TagsColumn : string.Empty);
        await using (var read = new NpgsqlCommand($"SELECT {schema.RowIdColumn}, {RowReference.VersionColumn}{columns} FROM {schema.Name} WHERE {schema.RowIdColumn} = ANY($1)", _connection, transaction))
        {
            read.Parameters.Add(RowIdArray(schema, ids));
            await using NpgsqlDataReader reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                byte[]?[] cells = new byte[]?[kept.Length];
                for (int i = 0; i < kept.Length; i++)
                {
                    cells[i] = reader.IsDBNull(2 + i) ? null : reader.GetFieldValue<byte[]>(2 + i);
                }

                byte[]? tags = schema.RowTags && !reader.IsDBNull(2 + kept.Length) ? reader.GetFieldValue<byte[]>(2 + kept.Length) : null;
                current[QueryPlanner.Coerce(reader.GetValue(0), schema.RowId)!] = (reader.GetInt64(1), cells, tags);
            }
        }

        var tagWriter = new RowTagWriter(schema, name => _keys[name]);
        ColumnSchema[] written = [.. encrypted.Where(c => c.Encryption == EncryptionType.Randomized || assigned.Any(a => a.Column.Name == c.Name))];
        var result = new RowRewrite(
            [.. written.Select(c => (c, new byte[]?[ids.Count]))],
            tagWriter.Active ? new byte[ids.Count][] : null,
            new long[ids.Count]);
        Dictionary<string, object?> deterministicValues = assigned.Where(a => a.Column.Encryption == EncryptionType.Deterministic)
            .ToDictionary(a => a.Column.Name, a => Stored(a.Column, a.Value, []));
        for (int r = 0; r < ids.Count; r++)
        {
            if (!current.TryGetValue(ids[r], out var row))
            {
                throw new EncryptedDbException(EncryptedDbFailureCode.ServiceFailure, $"a locked row of {schema.Name} was not found again; nothing was changed");
            }

            byte[] rowId = ValueCodec.Encode(ids[r]);
            byte[] before = RowReference.Of(rowId, row.Version);
            long next = row.Version == long.MaxValue ? throw new EncryptedDbException(EncryptedDbFailureCode.LimitExceeded, $"a row of {schema.Name} reached the last version") : row.Version + 1;
            byte[] after = RowReference.Of(rowId, next);
            var cellOf = new Dictionary<string, byte[]?>(StringComparer.Ordinal);
            for (int i = 0; i < kept.Length; i++)
            {
                ColumnSchema column = kept[i];
                byte[]? cell = row.Cells[i];
                if (column.Encryption == EncryptionType.Randomized)
                {
                    cellOf[column.Name] = cell is null ? null : Reencrypt(column, cell, before, after);
                }
                else
                {
                    if (schema.Tagged(column))
                    {
                        int slot = schema.TagSlot(column) * ColumnKey.RowTagLength;
                        var binding = new RowTagBinding(column.Table, column.Name);
                        if (row.Tags is null || row.Tags.Length < slot + ColumnKey.RowTagLength)
                        {
                            throw new EncryptedDbException(EncryptedDbFailureCode.IntegrityFailure, $"a cell of {binding.Description} has no row tag");
                        }

                        _keys[column.KeyName!].VerifyRowTag(binding, before, cell is not null, cell, row.Tags.AsSpan(slot, ColumnKey.RowTagLength));
                    }

                    cellOf[column.Name] = cell;
                }
            }

            foreach ((ColumnSchema column, object? value) in assigned)
            {
                cellOf[column.Name] = column.Encryption == EncryptionType.Randomized ? (byte[]?)Stored(column, value, after) : (byte[]?)deterministicValues[column.Name];
            }

            foreach ((ColumnSchema column, byte[]?[] cells) in result.Cells)
            {
                cells[r] = cellOf[column.Name];
            }

            if (result.Tags is not null)
            {
                result.Tags[r] = tagWriter.Row(after, c => cellOf[c.Name]);
            }

            result.Versions[r] = next;
        }

        return result;
    }

    // A randomized cell decrypted under the row's current version and encrypted again under the next.
    private byte[] Reencrypt(ColumnSchema column, byte[] cell, byte[] before, byte[] after)
    {
        ColumnKey key = _keys[column.KeyName!];
        CellBinding binding = column.Binding();
        byte[] plaintext = new byte[Math.Max(0, cell.Length - ColumnKey.Overhead)];
        try
        {
            int length = key.Decrypt(cell, binding, before, plaintext);
            return key.Encrypt(plaintext.AsSpan(0, length), binding, after);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
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
        int rowIdIndex = RowIdIndex(schema, targets);
        var encoders = await EncodersAsync(targets, cancellationToken).ConfigureAwait(false);
        await LoadKeysAsync(schema.Columns, cancellationToken).ConfigureAwait(false);
        var tags = new RowTagWriter(schema, name => _keys[name]);
        await using var command = new NpgsqlCommand { Connection = _connection };
        var values = new List<string>();
        foreach (object?[] row in rows)
        {
            long version = RowReference.NewVersion();
            byte[] reference = RowReferenceOf(rowIdIndex >= 0 ? row[rowIdIndex] : null, rowIdIndex >= 0 ? targets[rowIdIndex] : null, version);
            var slots = new List<string>();
            object?[] stored = new object?[targets.Length];
            for (int i = 0; i < targets.Length; i++)
            {
                stored[i] = encoders[i](row[i], reference);
                command.Parameters.Add(new NpgsqlParameter { Value = stored[i] ?? DBNull.Value, NpgsqlDbType = TypeOf(targets[i]) });
                slots.Add("$" + command.Parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            if (tags.Active)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = tags.Row(reference, c => StoredCell(targets, stored, c)), NpgsqlDbType = NpgsqlDbType.Bytea });
                slots.Add("$" + command.Parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            command.Parameters.Add(new NpgsqlParameter { Value = version, NpgsqlDbType = NpgsqlDbType.Bigint });
            slots.Add("$" + command.Parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            values.Add("(" + string.Join(", ", slots) + ")");
        }

        command.CommandText = $"INSERT INTO {insert.Table} ({string.Join(", ", targets.Select(t => t.Name).Concat(tags.Active ? [TableSchema.TagsColumn] : []).Append(RowReference.VersionColumn))}) VALUES {string.Join(", ", values)}";
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<(TableSchema Schema, PlannedQuery Match)> PlanMatchAsync(string table, SqlExpression? where, IReadOnlyDictionary<string, object?> parameters, CancellationToken cancellationToken)
    {
        Dictionary<string, TableSchema> tables = await TablesAsync(cancellationToken).ConfigureAwait(false);
        TableSchema schema = tables.GetValueOrDefault(table) ?? throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, $"invalid query: no encrypted-database table '{table}'");
        await LoadKeysAsync(schema.Columns, cancellationToken).ConfigureAwait(false);
        return (schema, new QueryPlanner(tables, parameters, name => _keys[name]).PlanMatch(schema, where));
    }

    // Locks the candidate rows in the client's transaction (so nothing changes them between the enclave's choice and
    // the write), asks the enclave which candidates match, and keeps only matches among the locked rows. The query
    // service reads the candidates later, on its own connection: a row a concurrent writer inserted, or changed into a
    // candidate, and committed after the lock may reach the enclave too. Such a row is not part of this statement (as a
    // PostgreSQL statement does not see rows committed after it started), and it is not locked, so writing it would
    // act on a decision its writer can still invalidate. Locked rows cannot change before this transaction ends.
    private async Task<List<object>> MatchingRowIdsAsync(TableSchema schema, EnclaveQuery match, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var locked = new HashSet<object>();
        await using (var lockRows = new NpgsqlCommand($"SELECT {schema.Name}.{schema.RowIdColumn}{match.CandidateFrom}{LockInRowIdOrder}", _connection, transaction))
        await using (NpgsqlDataReader reader = await lockRows.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                locked.Add(QueryPlanner.Coerce(reader.GetValue(0), schema.RowId)!);
            }
        }

        if (AfterRowsLocked is { } hook)
        {
            await hook(cancellationToken).ConfigureAwait(false);
        }

        var chosen = new List<object>();
        foreach (object?[] row in await RunEnclaveAsync(match, cancellationToken).ConfigureAwait(false))
        {
            object id = QueryPlanner.Coerce(row[0] ?? throw new EncryptedDbException(EncryptedDbFailureCode.IntegrityFailure, "the enclave returned a NULL row id"), schema.RowId)!;
            if (locked.Contains(id))
            {
                chosen.Add(id);
            }
        }

        return chosen;
    }

    private async Task<IReadOnlyList<object?[]>> RunEnclaveAsync(EnclaveQuery query, CancellationToken cancellationToken)
    {
        _link ??= await EnclaveLink.ConnectAsync(_options, cancellationToken).ConfigureAwait(false);
        try
        {
            QueryResult result = await _link.RunAsync(query, name => _ceks[name], cancellationToken).ConfigureAwait(false);

            // Outputs beyond the select list were added for HAVING only.
            int visible = query.ColumnNames.Count;
            return result.ColumnCount == visible ? result.Rows : [.. result.Rows.Select(r => r[..visible])];
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

    private async Task<List<object?[]>> RunDirectAsync(DirectQuery direct, NpgsqlTransaction? transaction, string? suffix, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(direct.Sql + suffix, _connection, transaction);
        AddParameters(command, direct.Parameters);
        var rows = new List<object?[]>();
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            foreach (RowTagCheck check in direct.TagChecks)
            {
                CheckRowTag(reader, check);
            }

            var row = new object?[direct.Decoders.Count];
            for (int i = 0; i < row.Length; i++)
            {
                row[i] = Decode(reader, direct.Decoders[i]);
            }

            rows.Add(row);
        }

        return rows;
    }

    private void CheckRowTag(NpgsqlDataReader reader, RowTagCheck check)
    {
        byte[]? cell = reader.IsDBNull(check.CellRaw) ? null : reader.GetFieldValue<byte[]>(check.CellRaw);
        byte[] tags = reader.IsDBNull(check.TagsRaw) ? [] : reader.GetFieldValue<byte[]>(check.TagsRaw);
        int slot = check.Slot * ColumnKey.RowTagLength;
        var binding = new RowTagBinding(check.Column.Table, check.Column.Name);
        if (tags.Length < slot + ColumnKey.RowTagLength)
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.IntegrityFailure, $"a cell of {binding.Description} has no row tag");
        }

        byte[] reference = RowReferenceAt(reader, check.RowIdRaw, check.VersionRaw);
        _keys[check.Column.KeyName!].VerifyRowTag(binding, reference, cell is not null, cell, tags.AsSpan(slot, ColumnKey.RowTagLength));
    }

    private static void AddParameters(NpgsqlCommand command, IEnumerable<object> values)
    {
        foreach (object value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
    }

    // The row reference (row id and version) a row's randomized cells and row tags are bound to; empty without a row id.
    private static byte[] RowReferenceOf(object? rowId, ColumnSchema? column, long version) =>
        rowId is null ? [] : RowReference.Of(ValueCodec.Encode(QueryPlanner.Coerce(rowId, column)!), version);

    private static byte[] RowReferenceAt(NpgsqlDataReader reader, int rowIdRaw, int versionRaw)
    {
        if (reader.IsDBNull(rowIdRaw) || reader.IsDBNull(versionRaw))
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.IntegrityFailure, "a row without its row id or version");
        }

        return RowReference.Of(ValueCodec.Encode(QueryPlanner.Coerce(reader.GetValue(rowIdRaw), null)!), reader.GetInt64(versionRaw));
    }

    private static NpgsqlParameter RowIdArray(TableSchema schema, List<object> ids) => schema.RowId.Type == DbValueType.Int64
        ? new NpgsqlParameter { Value = ids.Select(id => (long)QueryPlanner.Coerce(id, schema.RowId)!).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint }
        : new NpgsqlParameter { Value = ids.Select(id => (string)id).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    // The stored form of a value for a column: plaintext as is, encrypted cells under the column key.
    private object? Stored(ColumnSchema column, object? value, byte[] reference) => value is null || column.Encryption == EncryptionType.Plain
        ? value
        : _keys[column.KeyName!].Encrypt(ValueCodec.Encode(value), column.Binding(), column.Encryption == EncryptionType.Randomized ? reference : default);

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

        byte[] rowId = column.Encryption == EncryptionType.Randomized ? RowReferenceAt(reader, decoder.RowIdRaw, decoder.RowIdRaw + 1) : [];
        object value = _keys[column.KeyName!].DecryptValue(reader.GetFieldValue<byte[]>(decoder.Raw), column.Binding(), rowId);
        return value;
    }

    // Each target column's encoder: (value, row reference) to the stored value (randomized cells are bound to the reference).
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

    private static byte[]? StoredCell(ColumnSchema[] targets, object?[] stored, ColumnSchema column)
    {
        int index = Array.IndexOf(targets, column);
        return index >= 0 ? stored[index] as byte[] : null;
    }

    private static int RowIdIndex(TableSchema schema, ColumnSchema[] targets)
    {
        int index = Array.FindIndex(targets, c => c.Name == schema.RowIdColumn);
        if (index < 0 && (targets.Any(c => c.Encryption == EncryptionType.Randomized) || (schema.RowTags && schema.DeterministicColumns.Count > 0)))
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, $"invalid query: rows of '{schema.Name}' must set the row-id column '{schema.RowIdColumn}' (encrypted cells and row tags are bound to it)");
        }

        return index;
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
            byte[] cek = await UnwrapColumnKeyAsync(store, path, wrapped, name, masterKey, cancellationToken).ConfigureAwait(false);
            _ceks[name] = cek;
            _keys[name] = new ColumnKey(cek);
        }
    }

    private async Task<byte[]> WrapColumnKeyAsync(string store, string path, byte[] cek, string cekName, string cmkName, CancellationToken cancellationToken)
    {
        if (store == CryptoModuleMasterKeys.KeyStore)
        {
            return await CryptoModuleMasterKeys.WrapAsync(Module(), path, cek, cekName, cmkName, cancellationToken).ConfigureAwait(false);
        }

        byte[] master = ResolveMasterKey(store, path);
        try
        {
            return ColumnKeyWrap.Wrap(master, cek, cekName, cmkName);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(master);
        }
    }

    private async Task<byte[]> UnwrapColumnKeyAsync(string store, string path, byte[] wrapped, string cekName, string cmkName, CancellationToken cancellationToken)
    {
        if (store == CryptoModuleMasterKeys.KeyStore)
        {
            return await CryptoModuleMasterKeys.UnwrapAsync(Module(), path, wrapped, cekName, cmkName, cancellationToken).ConfigureAwait(false);
        }

        byte[] master = ResolveMasterKey(store, path);
        try
        {
            return ColumnKeyWrap.Unwrap(master, wrapped, cekName, cmkName);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(master);
        }
    }

    private SecGear.CryptoModule.Client.CryptoModuleClient Module() => _options.CryptoModule
        ?? throw new EncryptedDbException(EncryptedDbFailureCode.KeyUnavailable, $"the master key is kept in the crypto module ('{CryptoModuleMasterKeys.KeyStore}') and EncryptedDbOptions.CryptoModule is not set");

    private byte[] ResolveMasterKey(string store, string path)
    {
        if (_options.MasterKeyResolver is { } resolver)
        {
            return resolver(store, path);
        }

        return store == MasterKeyFile.KeyStore
            ? MasterKeyFile.Load(path)
            : throw new EncryptedDbException(EncryptedDbFailureCode.KeyUnavailable, $"the master key store '{store}' is not supported ('{MasterKeyFile.KeyStore}' or '{CryptoModuleMasterKeys.KeyStore}')");
    }

    private async Task<Dictionary<string, TableSchema>> TablesAsync(CancellationToken cancellationToken) =>
        _tables ??= await EncryptedDbCatalog.LoadTablesAsync(_connection, cancellationToken).ConfigureAwait(false);

    private async Task<TableSchema> TableAsync(string table, CancellationToken cancellationToken) =>
        (await TablesAsync(cancellationToken).ConfigureAwait(false)).GetValueOrDefault(table)
            ?? throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, $"invalid query: no encrypted-database table '{table}'");
}
