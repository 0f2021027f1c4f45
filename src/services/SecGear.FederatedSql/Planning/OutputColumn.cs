using SecGear.FederatedSql.Sql;

namespace SecGear.FederatedSql.Planning;

/// <summary>One column of the final answer: its name and its expression over group keys and aggregates.</summary>
public sealed record OutputColumn(string Name, SqlExpr Expression);
