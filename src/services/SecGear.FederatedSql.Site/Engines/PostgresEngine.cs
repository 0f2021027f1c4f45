using System.Runtime.CompilerServices;
using Npgsql;
using NpgsqlTypes;
using SecGear.FederatedSql.Site.Data;

namespace SecGear.FederatedSql.Site.Engines;

/// <summary>
/// PostgreSQL as a site's source: the tables live in one schema of an existing database (the connection's search path
/// is set to it), so several sites can share a server without colliding.
/// </summary>
public sealed class PostgresEngine : LocalEngine
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _schema;

    /// <summary>Uses <paramref name="schema"/> in the database of <paramref name="connectionString"/>.</summary>
    public PostgresEngine(string connectionString, string schema)
    {
        if (string.IsNullOrEmpty(schema) || schema.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')))
        {
            throw new ArgumentException("the schema must be a lower-case identifier", nameof(schema));
        }

        _schema = schema;
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema };
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    /// <inheritdoc />
    public override string Name => "postgresql";

    /// <summary>The schema holding this site's tables.</summary>
    public string Schema => _schema;

    /// <inheritdoc />
    public override async Task LoadAsync(long totalOrders, int site, int sites, bool lineItems, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, $"DROP SCHEMA IF EXISTS {_schema} CASCADE", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, $"CREATE SCHEMA {_schema}", cancellationToken).ConfigureAwait(false);
        foreach (string ddl in TpchLikeData.Schema)
        {
            await ExecuteAsync(connection, ddl, cancellationToken).ConfigureAwait(false);
        }

        await CopyAsync(connection, "nation", TpchLikeData.NationRows(), cancellationToken).ConfigureAwait(false);
        await CopyAsync(connection, "customer", TpchLikeData.CustomerRows(), cancellationToken).ConfigureAwait(false);
        var orders = TpchLikeData.OrdersOf(totalOrders, site, sites).ToList();
        await CopyAsync(connection, "orders", orders.Select(o => o.Order), cancellationToken).ConfigureAwait(false);
        await CopyAsync(connection, "lineitem", lineItems ? orders.SelectMany(o => o.Lines) : [], cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, "ANALYZE", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Drops the schema and everything in it.</summary>
    public async Task DropAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, $"DROP SCHEMA IF EXISTS {_schema} CASCADE", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<object?[]> QueryAsync(string sql, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var row = new object?[reader.FieldCount];
            for (int i = 0; i < row.Length; i++)
            {
                row[i] = await reader.IsDBNullAsync(i, cancellationToken).ConfigureAwait(false)
                    ? null
                    : reader.GetDataTypeName(i) == "date" ? reader.GetFieldValue<DateOnly>(i) : Normalize(reader.GetValue(i));
            }

            yield return row;
        }
    }

    /// <inheritdoc />
    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task CopyAsync(NpgsqlConnection connection, string table, IEnumerable<object?[]> rows, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync($"COPY {table} FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
        foreach (var row in rows)
        {
            await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
            foreach (object? value in row)
            {
                switch (value)
                {
                    case null:
                        await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                        break;
                    case long l:
                        await importer.WriteAsync(l, NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                        break;
                    case decimal d:
                        await importer.WriteAsync(d, NpgsqlDbType.Numeric, cancellationToken).ConfigureAwait(false);
                        break;
                    case string s:
                        await importer.WriteAsync(s, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
                        break;
                    case DateOnly date:
                        await importer.WriteAsync(date, NpgsqlDbType.Date, cancellationToken).ConfigureAwait(false);
                        break;
                    default:
                        throw new ArgumentException($"no COPY mapping for {value.GetType().Name}", nameof(rows));
                }
            }
        }

        await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }
}
