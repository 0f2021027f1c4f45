namespace SecGear.FederatedSql.Results;

/// <summary>One group of the merged answer: its key values, merged partial aggregates and, for COUNT(DISTINCT), the distinct values seen.</summary>
public sealed class MergedGroup(object?[] keys, int partials)
{
    /// <summary>The GROUP BY values.</summary>
    public object?[] Keys { get; } = keys;

    /// <summary>The merged partial aggregates, in plan order (index 0 is the contributing row count).</summary>
    public object?[] Partials { get; } = new object?[partials];

    /// <summary>The distinct non-null values of the COUNT(DISTINCT) argument, when the query has one.</summary>
    public HashSet<object>? Distinct { get; set; }

    /// <summary>The rows that contributed to this group at all sites.</summary>
    public long Rows => Partials[0] is long rows ? rows : 0;
}
