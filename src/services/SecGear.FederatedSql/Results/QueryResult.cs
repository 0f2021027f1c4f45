namespace SecGear.FederatedSql.Results;

/// <summary>The answer of a federated query, after the disclosure policy.</summary>
/// <param name="Columns">The column names.</param>
/// <param name="Rows">The rows (values as in <see cref="SqlValues"/>).</param>
/// <param name="SuppressedGroups">How many groups the disclosure policy withheld (fewer than k contributing rows).</param>
public sealed record QueryResult(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows, long SuppressedGroups);
