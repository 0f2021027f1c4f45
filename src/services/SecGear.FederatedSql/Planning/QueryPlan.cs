using System.Security.Cryptography;
using System.Text;
using SecGear.FederatedSql.Sql;

namespace SecGear.FederatedSql.Planning;

/// <summary>
/// A federated query split in two: the partial plan every site runs on its own data (filters, joins with replicated
/// tables and partial aggregation, as one SQL statement), and what the enclave does with the partial results (merge,
/// HAVING, disclosure control, final expressions, ORDER BY, LIMIT). Made by <see cref="QueryPlanner"/>.
/// </summary>
public sealed class QueryPlan
{
    internal QueryPlan(
        string federatedSql,
        int minGroupRows,
        IReadOnlyList<string> keys,
        string? distinctArgument,
        IReadOnlyList<PartialAggregate> partials,
        IReadOnlyDictionary<string, AggregateBinding> aggregates,
        IReadOnlyList<OutputColumn> outputs,
        SqlExpr? having,
        IReadOnlyList<OrderKey> orderBy,
        long? limit,
        string partialSql,
        string referenceSql)
    {
        FederatedSql = federatedSql;
        MinGroupRows = minGroupRows;
        Keys = keys;
        DistinctArgument = distinctArgument;
        Partials = partials;
        Aggregates = aggregates;
        Outputs = outputs;
        Having = having;
        OrderBy = orderBy;
        Limit = limit;
        PartialSql = partialSql;
        ReferenceSql = referenceSql;
        PlanDigest = SHA256.HashData(Encoding.UTF8.GetBytes(partialSql));
    }

    /// <summary>The query as the user wrote it.</summary>
    public string FederatedSql { get; }

    /// <summary>The disclosure policy's k: groups with fewer contributing rows are suppressed.</summary>
    public int MinGroupRows { get; }

    /// <summary>The GROUP BY columns (canonical SQL); the first columns of every partial row.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>The COUNT(DISTINCT ...) argument, if any: sites also group by it, in the column after the keys.</summary>
    public string? DistinctArgument { get; }

    /// <summary>The partial-aggregate columns, after the keys (and the distinct argument); column 0 is COUNT(*).</summary>
    public IReadOnlyList<PartialAggregate> Partials { get; }

    /// <summary>Each aggregate of the query, by its canonical SQL.</summary>
    public IReadOnlyDictionary<string, AggregateBinding> Aggregates { get; }

    /// <summary>The answer's columns.</summary>
    public IReadOnlyList<OutputColumn> Outputs { get; }

    /// <summary>HAVING, evaluated in the enclave on merged groups.</summary>
    public SqlExpr? Having { get; }

    /// <summary>ORDER BY, applied in the enclave.</summary>
    public IReadOnlyList<OrderKey> OrderBy { get; }

    /// <summary>LIMIT, applied in the enclave after the disclosure policy.</summary>
    public long? Limit { get; }

    /// <summary>The partial plan: the one statement each site runs on its own data.</summary>
    public string PartialSql { get; }

    /// <summary>SHA-256 of <see cref="PartialSql"/> (UTF-8): sites echo it inside the channel.</summary>
    public byte[] PlanDigest { get; }

    /// <summary>
    /// The same query for one database holding the union of every site's data, with the disclosure policy written as
    /// <c>HAVING ... AND COUNT(*) &gt;= k</c>: the federated answer must equal its answer (the correctness check).
    /// </summary>
    public string ReferenceSql { get; }

    /// <summary>How many columns a partial row has.</summary>
    public int PartialColumnCount => Keys.Count + (DistinctArgument is null ? 0 : 1) + Partials.Count;

    /// <summary>Where the partial-aggregate columns start in a partial row.</summary>
    public int FirstPartialColumn => Keys.Count + (DistinctArgument is null ? 0 : 1);
}
