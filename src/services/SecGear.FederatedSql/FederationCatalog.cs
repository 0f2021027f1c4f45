namespace SecGear.FederatedSql;

/// <summary>The tables every site exposes, and how each is distributed. Queries may name only these.</summary>
public sealed class FederationCatalog
{
    private readonly Dictionary<string, TableSchema> _tables;

    /// <summary>Creates a catalog; names must be lower-case SQL identifiers, partitioned tables need a partition key.</summary>
    public FederationCatalog(IEnumerable<TableSchema> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        _tables = new Dictionary<string, TableSchema>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            CheckName(table.Name);
            foreach (string column in table.Columns)
            {
                CheckName(column);
            }

            if (table.Distribution == TableDistribution.Partitioned && (table.PartitionKey is null || !table.Columns.Contains(table.PartitionKey)))
            {
                throw new ArgumentException($"the partitioned table {table.Name} needs a partition key among its columns", nameof(tables));
            }

            if (!_tables.TryAdd(table.Name, table))
            {
                throw new ArgumentException($"the table {table.Name} is listed twice", nameof(tables));
            }
        }
    }

    /// <summary>
    /// The TPC-H-like schema of the samples and tests: <c>orders</c> and <c>lineitem</c> partitioned by order key
    /// (co-partitioned), <c>customer</c> and <c>nation</c> replicated at every site.
    /// </summary>
    public static FederationCatalog TpchLike { get; } = new(
    [
        new TableSchema("orders", ["o_orderkey", "o_custkey", "o_orderstatus", "o_totalprice", "o_orderdate", "o_orderpriority", "o_shippriority"], TableDistribution.Partitioned, "o_orderkey"),
        new TableSchema("lineitem", ["l_orderkey", "l_linenumber", "l_quantity", "l_extendedprice", "l_discount", "l_tax", "l_returnflag", "l_linestatus", "l_shipdate", "l_shipmode"], TableDistribution.Partitioned, "l_orderkey"),
        new TableSchema("customer", ["c_custkey", "c_name", "c_nationkey", "c_mktsegment", "c_acctbal"], TableDistribution.Replicated),
        new TableSchema("nation", ["n_nationkey", "n_name", "n_regionkey"], TableDistribution.Replicated),
    ]);

    /// <summary>The tables.</summary>
    public IEnumerable<TableSchema> Tables => _tables.Values;

    /// <summary>Looks a table up by name.</summary>
    public bool TryGetTable(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out TableSchema? table) => _tables.TryGetValue(name, out table);

    private static void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 63 || !(char.IsAsciiLetterLower(name[0]) || name[0] == '_') || name.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')))
        {
            throw new ArgumentException($"'{name}' is not a lower-case SQL identifier", nameof(name));
        }
    }
}
