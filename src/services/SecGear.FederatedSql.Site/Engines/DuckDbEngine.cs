using System.Runtime.CompilerServices;
using DuckDB.NET.Data;
using SecGear.FederatedSql.Site.Data;

namespace SecGear.FederatedSql.Site.Engines;

/// <summary>The embedded default: DuckDB (in memory, or a database file), one connection, queries one at a time.</summary>
public sealed class DuckDbEngine(string dataSource = ":memory:") : LocalEngine
{
    private readonly DuckDBConnection _connection = Open(dataSource);
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <inheritdoc />
    public override string Name => "duckdb";

    /// <inheritdoc />
    public override async Task LoadAsync(long totalOrders, int site, int sites, bool lineItems, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await LoadInto(_connection, totalOrders, site, sites, lineItems).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Creates the tables in <paramref name="connection"/> and appends one site's rows (all sites when
    /// <paramref name="site"/> is null); without <paramref name="lineItems"/> the lineitem table stays empty.
    /// </summary>
    public static Task LoadInto(DuckDBConnection connection, long totalOrders, int? site, int sites, bool lineItems = true)
    {
        ArgumentNullException.ThrowIfNull(connection);
        foreach (string ddl in TpchLikeData.Schema)
        {
            using var create = connection.CreateCommand();
            create.CommandText = ddl;
            create.ExecuteNonQuery();
        }

        Append(connection, "nation", TpchLikeData.NationRows());
        Append(connection, "customer", TpchLikeData.CustomerRows());
        using (var orders = connection.CreateAppender("orders"))
        using (var lines = connection.CreateAppender("lineitem"))
        {
            foreach (var (order, items) in TpchLikeData.OrdersOf(totalOrders, site, sites))
            {
                AppendRow(orders, order);
                foreach (var line in lineItems ? items : [])
                {
                    AppendRow(lines, line);
                }
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<object?[]> QueryAsync(string sql, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var row = new object?[reader.FieldCount];
                for (int i = 0; i < row.Length; i++)
                {
                    row[i] = Normalize(reader.IsDBNull(i) ? null : reader.GetValue(i));
                }

                yield return row;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    private static DuckDBConnection Open(string dataSource)
    {
        var connection = new DuckDBConnection($"Data Source={dataSource}");
        connection.Open();
        return connection;
    }

    private static void Append(DuckDBConnection connection, string table, IEnumerable<object?[]> rows)
    {
        using var appender = connection.CreateAppender(table);
        foreach (var row in rows)
        {
            AppendRow(appender, row);
        }
    }

    private static void AppendRow(DuckDBAppender appender, object?[] values)
    {
        var row = appender.CreateRow();
        foreach (object? value in values)
        {
            row = value switch
            {
                null => row.AppendNullValue(),
                long l => row.AppendValue(l),
                decimal d => row.AppendValue(d),
                string s => row.AppendValue(s),
                DateOnly date => row.AppendValue(date),
                _ => throw new ArgumentException($"no appender for {value.GetType().Name}", nameof(values)),
            };
        }

        row.EndRow();
    }
}
