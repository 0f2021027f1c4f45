using SecGear.FederatedSql.Sql;

namespace SecGear.FederatedSql.Planning;

/// <summary>One ORDER BY key: an expression over group keys and aggregates. NULLs sort last either way.</summary>
public sealed record OrderKey(SqlExpr Expression, bool Descending);
