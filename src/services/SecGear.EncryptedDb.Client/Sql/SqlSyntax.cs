namespace SecGear.EncryptedDb.Client.Sql;

/// <summary>An expression of the SQL subset.</summary>
internal abstract record SqlExpression;

/// <summary>A column, optionally qualified by a table name or alias.</summary>
internal sealed record SqlColumn(string? Qualifier, string Name) : SqlExpression
{
    public override string ToString() => Qualifier is null ? Name : $"{Qualifier}.{Name}";
}

/// <summary>A constant: long, decimal, string, DateOnly or null.</summary>
internal sealed record SqlLiteral(object? Value) : SqlExpression;

/// <summary>An <c>@name</c> parameter.</summary>
internal sealed record SqlParameter(string Name) : SqlExpression;

/// <summary>An aggregate: COUNT(*) has no column.</summary>
internal sealed record SqlAggregate(OutputKind Kind, SqlColumn? Column) : SqlExpression;

/// <summary>left op right.</summary>
internal sealed record SqlCompare(CompareOperator Operator, SqlExpression Left, SqlExpression Right) : SqlExpression;

/// <summary>[NOT] BETWEEN.</summary>
internal sealed record SqlBetween(SqlExpression Value, SqlExpression Low, SqlExpression High, bool Negated) : SqlExpression;

/// <summary>[NOT] IN (list).</summary>
internal sealed record SqlIn(SqlExpression Value, IReadOnlyList<SqlExpression> Items, bool Negated) : SqlExpression;

/// <summary>[NOT] LIKE pattern.</summary>
internal sealed record SqlLike(SqlExpression Value, SqlExpression Pattern, bool Negated) : SqlExpression;

/// <summary>IS [NOT] NULL.</summary>
internal sealed record SqlIsNull(SqlExpression Value, bool Negated) : SqlExpression;

/// <summary>AND of parts.</summary>
internal sealed record SqlAnd(IReadOnlyList<SqlExpression> Parts) : SqlExpression;

/// <summary>OR of parts.</summary>
internal sealed record SqlOr(IReadOnlyList<SqlExpression> Parts) : SqlExpression;

/// <summary>NOT.</summary>
internal sealed record SqlNot(SqlExpression Operand) : SqlExpression;

/// <summary>A select-list item (a column or an aggregate) with its output name.</summary>
internal sealed record SqlSelectItem(SqlExpression Expression, string? Alias);

/// <summary>A table in FROM or JOIN.</summary>
internal sealed record SqlTableRef(string Table, string Alias);

/// <summary>[INNER] JOIN table ON left = right.</summary>
internal sealed record SqlJoin(SqlTableRef Table, SqlColumn Left, SqlColumn Right);

/// <summary>An ORDER BY key: an expression, an output alias (as a column) or a 1-based position.</summary>
internal sealed record SqlOrderItem(SqlExpression? Expression, int Position, bool Descending);

/// <summary>A statement of the subset.</summary>
internal abstract record SqlStatement;

/// <summary>SELECT [DISTINCT] ... [HAVING condition].</summary>
internal sealed record SqlSelect(
    IReadOnlyList<SqlSelectItem> Items,
    bool Star,
    SqlTableRef From,
    IReadOnlyList<SqlJoin> Joins,
    SqlExpression? Where,
    IReadOnlyList<SqlColumn> GroupBy,
    IReadOnlyList<SqlOrderItem> OrderBy,
    long? Limit) : SqlStatement
{
    /// <summary>SELECT DISTINCT: duplicates of the whole output row are removed.</summary>
    public bool Distinct { get; init; }

    /// <summary>The HAVING condition (over group columns and aggregates), or null.</summary>
    public SqlExpression? Having { get; init; }
}

/// <summary>INSERT INTO table (columns) VALUES (...), (...).</summary>
internal sealed record SqlInsert(string Table, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<SqlExpression>> Rows) : SqlStatement;

/// <summary>One <c>column = value</c> of an UPDATE's SET list.</summary>
internal sealed record SqlAssignment(string Column, SqlExpression Value);

/// <summary>UPDATE table SET column = value {, column = value} [WHERE condition].</summary>
internal sealed record SqlUpdate(string Table, IReadOnlyList<SqlAssignment> Assignments, SqlExpression? Where) : SqlStatement;

/// <summary>DELETE FROM table [WHERE condition].</summary>
internal sealed record SqlDelete(string Table, SqlExpression? Where) : SqlStatement;

/// <summary>CREATE CLIENT MASTER KEY name WITH (KEY_STORE = store, KEY_PATH = 'path') (openGauss-style key DDL).</summary>
internal sealed record SqlCreateMasterKey(string Name, string KeyStore, string KeyPath) : SqlStatement;

/// <summary>CREATE COLUMN ENCRYPTION KEY name WITH VALUES (CLIENT_MASTER_KEY = cmk [, ALGORITHM = AES_256_GCM]).</summary>
internal sealed record SqlCreateColumnKey(string Name, string MasterKey) : SqlStatement;

/// <summary>
/// CREATE TABLE name (column type [PRIMARY KEY] [ENCRYPTED WITH (COLUMN_ENCRYPTION_KEY = cek, ENCRYPTION_TYPE = ...)], ...)
/// (openGauss-style column encryption DDL); the PRIMARY KEY column is the row-id column.
/// </summary>
internal sealed record SqlCreateTable(string Name, string RowIdColumn, IReadOnlyList<ColumnDefinition> Columns) : SqlStatement;
