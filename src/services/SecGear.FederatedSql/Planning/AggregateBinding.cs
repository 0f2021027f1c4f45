namespace SecGear.FederatedSql.Planning;

/// <summary>
/// How one aggregate of the query is computed from merged partial columns: SUM/COUNT/MIN/MAX read one partial column,
/// AVG divides a merged SUM by a merged COUNT, COUNT(DISTINCT) counts the distinct values the sites grouped by.
/// </summary>
/// <param name="Function">sum, count, avg, min, max or count_distinct.</param>
/// <param name="Partial">The partial column (the SUM's for AVG).</param>
/// <param name="CountPartial">AVG only: the partial COUNT column.</param>
public sealed record AggregateBinding(string Function, int Partial, int CountPartial = -1);
