namespace SecGear.FederatedSql;

/// <summary>
/// One table of the federation. Partitioned tables with the same <see cref="PartitionKey"/> domain are co-partitioned
/// (rows with equal keys live at the same site), so an equi-join on their partition keys is computed exactly at each site.
/// </summary>
/// <param name="Name">The table name (lower case).</param>
/// <param name="Columns">Its column names (lower case).</param>
/// <param name="Distribution">Partitioned or replicated.</param>
/// <param name="PartitionKey">For partitioned tables, the column that decides the site.</param>
public sealed record TableSchema(string Name, IReadOnlyList<string> Columns, TableDistribution Distribution, string? PartitionKey = null);
