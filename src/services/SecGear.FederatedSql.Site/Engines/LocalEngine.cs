using System.Numerics;

namespace SecGear.FederatedSql.Site.Engines;

/// <summary>A site's own SQL engine: loads the site's data and runs partial plans on it.</summary>
public abstract class LocalEngine : IAsyncDisposable
{
    /// <summary>The engine's name for logs and Describe ("duckdb", "postgresql").</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Creates the tables and loads this site's part of the TPC-H-like data set; without <paramref name="lineItems"/>
    /// the lineitem table stays empty (benchmarks of orders-only queries at 10 M orders: about 4 line items per order).
    /// </summary>
    public abstract Task LoadAsync(long totalOrders, int site, int sites, bool lineItems, CancellationToken cancellationToken);

    /// <summary>Runs a partial plan and streams its rows, each value normalised to the subset's types (<see cref="SqlValues"/>).</summary>
    public abstract IAsyncEnumerable<object?[]> QueryAsync(string sql, CancellationToken cancellationToken);

    /// <inheritdoc />
    public abstract ValueTask DisposeAsync();

    /// <summary>Maps an engine's value to the subset's types: integers to long, HUGEINT to long or decimal, dates to DateOnly.</summary>
    public static object? Normalize(object? value) => value switch
    {
        null or DBNull => null,
        long or decimal or double or string or DateOnly or bool => value,
        int i => (long)i,
        short s => (long)s,
        sbyte b => (long)b,
        byte b => (long)b,
        uint u => (long)u,
        ushort u => (long)u,
        ulong u => u <= long.MaxValue ? (long)u : (decimal)u,
        float f => (double)f,
        BigInteger big => big >= long.MinValue && big <= long.MaxValue ? (long)big : (decimal)big,
        DateTime dateTime => DateOnly.FromDateTime(dateTime),
        _ => throw new FederatedSqlException(FederatedSqlFailureCode.OutsideSubset, $"the engine returned a {value.GetType().Name}, which the federation does not carry"),
    };
}
