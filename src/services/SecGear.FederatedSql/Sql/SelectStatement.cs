namespace SecGear.FederatedSql.Sql;

/// <summary>One parsed SELECT of the subset.</summary>
public sealed record SelectStatement(
    IReadOnlyList<SelectItem> Items,
    IReadOnlyList<TableReference> From,
    IReadOnlyList<SqlExpr?> JoinConditions,
    SqlExpr? Where,
    IReadOnlyList<SqlExpr> GroupBy,
    SqlExpr? Having,
    IReadOnlyList<OrderItem> OrderBy,
    long? Limit);

/// <summary>A select-list item and its optional alias.</summary>
public sealed record SelectItem(SqlExpr Expression, string? Alias);

/// <summary>A table in FROM with its alias (the table name when none was given).</summary>
public sealed record TableReference(string Table, string Alias);

/// <summary>An ORDER BY item.</summary>
public sealed record OrderItem(SqlExpr Expression, bool Descending);
