using System.Text.RegularExpressions;
using Npgsql;

namespace SecGear.EncryptedDb.Client;

/// <summary>
/// The catalog tables the client library keeps in the database (in the connection's schema): master key metadata
/// (store and path, never the key), column keys wrapped under their master key, and which table columns are encrypted
/// how. A DBA sees these rows; none holds a usable key.
/// </summary>
internal static partial class EncryptedDbCatalog
{
    private const string Ddl = """
        CREATE TABLE IF NOT EXISTS encdb_master_keys (name text PRIMARY KEY, key_store text NOT NULL, key_path text NOT NULL, created timestamptz NOT NULL DEFAULT now());
        CREATE TABLE IF NOT EXISTS encdb_column_keys (name text PRIMARY KEY, master_key text NOT NULL REFERENCES encdb_master_keys(name), algorithm text NOT NULL, wrapped bytea NOT NULL);
        CREATE TABLE IF NOT EXISTS encdb_tables (table_name text PRIMARY KEY, row_id_column text NOT NULL);
        CREATE TABLE IF NOT EXISTS encdb_columns (table_name text NOT NULL REFERENCES encdb_tables(table_name) ON DELETE CASCADE, column_name text NOT NULL,
            ordinal int NOT NULL, data_type smallint NOT NULL, encryption smallint NOT NULL, column_key text REFERENCES encdb_column_keys(name), domain text,
            PRIMARY KEY (table_name, column_name));
        ALTER TABLE encdb_tables ADD COLUMN IF NOT EXISTS row_tags boolean NOT NULL DEFAULT false;
        """;

    public static async Task EnsureAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(Ddl, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public static void CheckName(string name, string what)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 63 || !IdentifierPattern().IsMatch(name))
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, $"the {what} name '{name}' must be 1-63 lowercase letters, digits or underscores, starting with a letter or underscore");
        }
    }

    public static async Task<Dictionary<string, TableSchema>> LoadTablesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await EnsureAsync(connection, cancellationToken).ConfigureAwait(false);
        var columns = new List<(string Table, ColumnSchema Column)>();
        await using (var command = new NpgsqlCommand("SELECT table_name, column_name, data_type, encryption, column_key, domain FROM encdb_columns ORDER BY table_name, ordinal", connection))
        await using (NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                string table = reader.GetString(0);
                columns.Add((table, new ColumnSchema(table, reader.GetString(1), (DbValueType)reader.GetInt16(2), (EncryptionType)reader.GetInt16(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5))));
            }
        }

        var tables = new Dictionary<string, TableSchema>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand("SELECT table_name, row_id_column, row_tags FROM encdb_tables", connection))
        await using (NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                string name = reader.GetString(0);
                tables[name] = new TableSchema(name, reader.GetString(1), [.. columns.Where(c => c.Table == name).Select(c => c.Column)], reader.GetBoolean(2));
            }
        }

        return tables;
    }

    public static async Task<(string MasterKey, string KeyStore, string KeyPath, byte[] Wrapped)> LoadColumnKeyAsync(NpgsqlConnection connection, string name, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT k.master_key, m.key_store, m.key_path, k.wrapped FROM encdb_column_keys k JOIN encdb_master_keys m ON m.name = k.master_key WHERE k.name = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.KeyUnavailable, $"no column encryption key named '{name}' in the catalog");
        }

        return (reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<byte[]>(3));
    }

    public static string SqlType(DbValueType type, EncryptionType encryption) => encryption != EncryptionType.Plain ? "bytea" : type switch
    {
        DbValueType.Int64 => "bigint",
        DbValueType.Numeric => "numeric",
        DbValueType.Text => "text",
        _ => "date",
    };

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex IdentifierPattern();
}
