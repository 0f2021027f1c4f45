using System.Text;
using SecGear.FederatedSql.Sql;

namespace SecGear.FederatedSql.Planning;

/// <summary>
/// Checks a query against the subset and the catalog and splits it into a <see cref="QueryPlan"/>. The enclave and
/// every site run the same planner on the same text: a site refuses a partial plan that differs from its own.
/// </summary>
public static class QueryPlanner
{
    /// <summary>The largest k a disclosure policy may ask for.</summary>
    public const int MaxMinGroupRows = 1_000_000;

    /// <summary>Plans <paramref name="sql"/> with disclosure policy k = <paramref name="minGroupRows"/>.</summary>
    /// <exception cref="FederatedSqlException">The query is not in the subset, names unknown tables or columns, or k is out of range.</exception>
    public static QueryPlan Plan(string sql, FederationCatalog catalog, int minGroupRows)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(catalog);
        if (minGroupRows < 1 || minGroupRows > MaxMinGroupRows)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.PolicyRejected, $"the minimum group size k is {minGroupRows}; it must be 1 to {MaxMinGroupRows}");
        }

        var statement = SqlParser.Parse(sql);
        var binder = new Binder(catalog, statement.From);
        var joins = statement.JoinConditions.Select(c => c is null ? null : binder.Bind(c, "ON", allowAggregates: false)).ToList();
        binder.CheckCoPartitioned(joins);
        var where = statement.Where is null ? null : binder.Bind(statement.Where, "WHERE", allowAggregates: false);

        var keys = new List<string>();
        var keyExpressions = new List<SqlExpr>();
        foreach (var item in statement.GroupBy)
        {
            var bound = binder.Bind(item, "GROUP BY", allowAggregates: false);
            if (bound is not ColumnExpr)
            {
                throw new FederatedSqlException(FederatedSqlFailureCode.OutsideSubset, $"GROUP BY {SqlText.Render(bound)}: only columns can be grouped by in the subset");
            }

            string text = SqlText.Render(bound);
            if (!keys.Contains(text))
            {
                keys.Add(text);
                keyExpressions.Add(bound);
            }
        }

        var aggregates = new Dictionary<string, AggregateExpr>(StringComparer.Ordinal);
        var outputs = new List<OutputColumn>();
        foreach (var item in statement.Items)
        {
            var bound = binder.Bind(item.Expression, "SELECT", allowAggregates: true);
            CheckGrouped(bound, keys, aggregates, "SELECT");
            outputs.Add(new OutputColumn(item.Alias ?? (bound is ColumnExpr column ? column.Name : SqlText.Render(bound)), bound));
        }

        if (keys.Count == 0 && aggregates.Count == 0)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.OutsideSubset, "the query has neither aggregates nor GROUP BY: it would output raw rows, which the federation never does");
        }

        SqlExpr? having = null;
        if (statement.Having is not null)
        {
            having = binder.Bind(statement.Having, "HAVING", allowAggregates: true);
            CheckGrouped(having, keys, aggregates, "HAVING");
        }

        var orderBy = new List<OrderKey>();
        foreach (var item in statement.OrderBy)
        {
            orderBy.Add(new OrderKey(OrderExpression(item.Expression, statement.Items, outputs, binder, keys, aggregates), item.Descending));
        }

        var distinctArguments = aggregates.Values.Where(a => a.Distinct).Select(a => SqlText.Render(a.Argument!)).Distinct().ToList();
        if (distinctArguments.Count > 1)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.OutsideSubset, $"COUNT(DISTINCT ...) over {distinctArguments.Count} different expressions; the subset allows one per query");
        }

        var partials = new List<PartialAggregate> { new(PartialKind.CountRows, null) };
        var bindings = new Dictionary<string, AggregateBinding>(StringComparer.Ordinal);
        foreach (var (text, aggregate) in aggregates)
        {
            string? argument = aggregate.Argument is null ? null : SqlText.Render(aggregate.Argument);
            bindings[text] = aggregate switch
            {
                { Distinct: true } => new AggregateBinding("count_distinct", -1),
                { Function: "count", Argument: null } => new AggregateBinding("count", 0),
                { Function: "count" } => new AggregateBinding("count", Partial(partials, PartialKind.Count, argument)),
                { Function: "sum" } => new AggregateBinding("sum", Partial(partials, PartialKind.Sum, argument)),
                { Function: "min" } => new AggregateBinding("min", Partial(partials, PartialKind.Min, argument)),
                { Function: "max" } => new AggregateBinding("max", Partial(partials, PartialKind.Max, argument)),
                _ => new AggregateBinding("avg", Partial(partials, PartialKind.Sum, argument), Partial(partials, PartialKind.Count, argument)),
            };
        }

        string? distinct = distinctArguments.Count == 1 ? distinctArguments[0] : null;
        string from = RenderFrom(statement.From, joins);
        string partialSql = RenderPartial(keys, distinct, partials, from, where);
        string referenceSql = RenderReference(outputs, from, where, keys, having, orderBy, statement.Limit, minGroupRows);
        return new QueryPlan(sql, minGroupRows, keys, distinct, partials, bindings, outputs, having, orderBy, statement.Limit, partialSql, referenceSql);
    }

    private static int Partial(List<PartialAggregate> partials, PartialKind kind, string? argument)
    {
        var wanted = new PartialAggregate(kind, argument);
        int index = partials.IndexOf(wanted);
        if (index < 0)
        {
            partials.Add(wanted);
            index = partials.Count - 1;
        }

        return index;
    }

    private static SqlExpr OrderExpression(SqlExpr expression, IReadOnlyList<SelectItem> items, List<OutputColumn> outputs, Binder binder, List<string> keys, Dictionary<string, AggregateExpr> aggregates)
    {
        if (expression is LiteralExpr { Value: long ordinal })
        {
            return ordinal >= 1 && ordinal <= outputs.Count
                ? outputs[(int)ordinal - 1].Expression
                : throw new FederatedSqlException(FederatedSqlFailureCode.OutsideSubset, $"ORDER BY {ordinal}: the select list has {outputs.Count} columns");
        }

        if (expression is ColumnExpr { Table: null } column)
        {
            int index = items.ToList().FindIndex(i => i.Alias == column.Name);
            if (index >= 0)
            {
                return outputs[index].Expression;
            }
        }

        var bound = binder.Bind(expression, "ORDER BY", allowAggregates: true);
        CheckGrouped(bound, keys, aggregates, "ORDER BY");
        return bound;
    }

    // Outside aggregates, only GROUP BY columns may appear; collects the aggregates it finds.
    private static void CheckGrouped(SqlExpr expression, List<string> keys, Dictionary<string, AggregateExpr> aggregates, string clause)
    {
        switch (expression)
        {
            case AggregateExpr aggregate:
                aggregates.TryAdd(SqlText.Render(aggregate), aggregate);
                break;
            case ColumnExpr column when !keys.Contains(SqlText.Render(column)):
                throw new FederatedSqlException(FederatedSqlFailureCode.OutsideSubset, $"{clause}: the column {SqlText.Render(column)} must be in GROUP BY or inside an aggregate (the federation never outputs raw rows)");
            case BinaryExpr binary:
                CheckGrouped(binary.Left, keys, aggregates, clause);
                CheckGrouped(binary.Right, keys, aggregates, clause);
                break;
            case UnaryExpr unary:
                CheckGrouped(unary.Operand, keys, aggregates, clause);
                break;
            case BetweenExpr between:
                CheckGrouped(between.Value, keys, aggregates, clause);
                CheckGrouped(between.Low, keys, aggregates, clause);
                CheckGrouped(between.High, keys, aggregates, clause);
                break;
            case InListExpr inList:
                CheckGrouped(inList.Value, keys, aggregates, clause);
                inList.Items.ToList().ForEach(i => CheckGrouped(i, keys, aggregates, clause));
                break;
            case LikeExpr like:
                CheckGrouped(like.Value, keys, aggregates, clause);
                CheckGrouped(like.Pattern, keys, aggregates, clause);
                break;
            case IsNullExpr isNull:
                CheckGrouped(isNull.Value, keys, aggregates, clause);
                break;
        }
    }

    private static string RenderFrom(IReadOnlyList<TableReference> from, List<SqlExpr?> joins)
    {
        var text = new StringBuilder();
        for (int i = 0; i < from.Count; i++)
        {
            text.Append(i == 0 ? string.Empty : " JOIN ").Append(from[i].Table);
            if (from[i].Alias != from[i].Table)
            {
                text.Append(' ').Append(from[i].Alias);
            }

            if (joins[i] is { } condition)
            {
                text.Append(" ON ").Append(SqlText.Render(condition));
            }
        }

        return text.ToString();
    }

    private static string RenderPartial(List<string> keys, string? distinct, List<PartialAggregate> partials, string from, SqlExpr? where)
    {
        var columns = keys.Select((k, i) => $"{k} AS k{i}").ToList();
        if (distinct is not null)
        {
            columns.Add($"{distinct} AS d0");
        }

        columns.AddRange(partials.Select((p, i) => $"{p.Sql} AS p{i}"));
        var text = new StringBuilder("SELECT ").AppendJoin(", ", columns).Append(" FROM ").Append(from);
        if (where is not null)
        {
            text.Append(" WHERE ").Append(SqlText.Render(where));
        }

        var groups = distinct is null ? keys : [.. keys, distinct];
        if (groups.Count > 0)
        {
            text.Append(" GROUP BY ").AppendJoin(", ", groups);
        }

        return text.ToString();
    }

    private static string RenderReference(List<OutputColumn> outputs, string from, SqlExpr? where, List<string> keys, SqlExpr? having, List<OrderKey> orderBy, long? limit, int minGroupRows)
    {
        var text = new StringBuilder("SELECT ")
            .AppendJoin(", ", outputs.Select((o, i) => $"{SqlText.Render(o.Expression)} AS c{i}"))
            .Append(" FROM ").Append(from);
        if (where is not null)
        {
            text.Append(" WHERE ").Append(SqlText.Render(where));
        }

        if (keys.Count > 0)
        {
            text.Append(" GROUP BY ").AppendJoin(", ", keys);
        }

        text.Append(" HAVING ");
        if (having is not null)
        {
            text.Append(SqlText.Render(having)).Append(" AND ");
        }

        text.Append("COUNT(*) >= ").Append(minGroupRows);
        if (orderBy.Count > 0)
        {
            text.Append(" ORDER BY ").AppendJoin(", ", orderBy.Select(o => SqlText.Render(o.Expression) + (o.Descending ? " DESC" : " ASC") + " NULLS LAST"));
        }

        if (limit is { } n)
        {
            text.Append(" LIMIT ").Append(n);
        }

        return text.ToString();
    }
}
