namespace SecGear.FederatedSql.Sql;

/// <summary>An expression of the SQL subset. Expressions are compared by their canonical text (<see cref="SqlText"/>).</summary>
public abstract record SqlExpr;

/// <summary>A column, optionally qualified by a table name or alias. After binding, <see cref="Table"/> is always set.</summary>
public sealed record ColumnExpr(string? Table, string Name) : SqlExpr;

/// <summary>A constant: <see cref="long"/>, <see cref="decimal"/>, <see cref="double"/>, <see cref="string"/>, <see cref="DateOnly"/>, <see cref="bool"/> or null.</summary>
public sealed record LiteralExpr(object? Value) : SqlExpr;

/// <summary>A binary operator: OR AND = &lt;&gt; &lt; &lt;= &gt; &gt;= + - * /.</summary>
public sealed record BinaryExpr(string Operator, SqlExpr Left, SqlExpr Right) : SqlExpr;

/// <summary>NOT or unary minus.</summary>
public sealed record UnaryExpr(string Operator, SqlExpr Operand) : SqlExpr;

/// <summary><c>value [NOT] BETWEEN low AND high</c>.</summary>
public sealed record BetweenExpr(SqlExpr Value, SqlExpr Low, SqlExpr High, bool Negated) : SqlExpr;

/// <summary><c>value [NOT] IN (items)</c> with constant or column items.</summary>
public sealed record InListExpr(SqlExpr Value, IReadOnlyList<SqlExpr> Items, bool Negated) : SqlExpr;

/// <summary><c>value [NOT] LIKE pattern</c>.</summary>
public sealed record LikeExpr(SqlExpr Value, SqlExpr Pattern, bool Negated) : SqlExpr;

/// <summary><c>value IS [NOT] NULL</c>.</summary>
public sealed record IsNullExpr(SqlExpr Value, bool Negated) : SqlExpr;

/// <summary>An aggregate call: SUM, COUNT, AVG, MIN or MAX; <see cref="Argument"/> is null for COUNT(*).</summary>
public sealed record AggregateExpr(string Function, SqlExpr? Argument, bool Distinct) : SqlExpr;
