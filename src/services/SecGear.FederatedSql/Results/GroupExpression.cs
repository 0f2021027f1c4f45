using System.Text;
using System.Text.RegularExpressions;
using SecGear.FederatedSql.Planning;
using SecGear.FederatedSql.Sql;

namespace SecGear.FederatedSql.Results;

/// <summary>
/// Compiles an expression over GROUP BY columns and aggregates into a function of a merged group, with SQL's
/// three-valued logic: NULL in, NULL out; AND/OR as in SQL; division by zero gives NULL.
/// </summary>
public static class GroupExpression
{
    /// <summary>Compiles <paramref name="expression"/> for groups of <paramref name="plan"/>.</summary>
    public static Func<MergedGroup, object?> Compile(SqlExpr expression, QueryPlan plan)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(plan);
        switch (expression)
        {
            case LiteralExpr literal:
                object? constant = literal.Value;
                return _ => constant;
            case ColumnExpr column:
                int key = IndexOf(plan.Keys, SqlText.Render(column));
                return g => g.Keys[key];
            case AggregateExpr aggregate:
                return Aggregate(plan.Aggregates[SqlText.Render(aggregate)]);
            case UnaryExpr { Operator: "not" } not:
                var operand = Compile(not.Operand, plan);
                return g => operand(g) is bool b ? !b : null;
            case UnaryExpr negate:
                var value = Compile(negate.Operand, plan);
                return g => value(g) is { } v ? SqlValues.Arithmetic('-', 0L, v) : null;
            case BinaryExpr { Operator: "and" } and:
                return And(Compile(and.Left, plan), Compile(and.Right, plan));
            case BinaryExpr { Operator: "or" } or:
                return Or(Compile(or.Left, plan), Compile(or.Right, plan));
            case BinaryExpr binary:
                return Binary(binary.Operator, Compile(binary.Left, plan), Compile(binary.Right, plan));
            case BetweenExpr between:
                var ge = Binary(">=", Compile(between.Value, plan), Compile(between.Low, plan));
                var le = Binary("<=", Compile(between.Value, plan), Compile(between.High, plan));
                var both = And(ge, le);
                return between.Negated ? g => both(g) is bool b ? !b : null : both;
            case InListExpr inList:
                return InList(Compile(inList.Value, plan), inList.Items.Select(i => Compile(i, plan)).ToList(), inList.Negated);
            case LikeExpr like:
                return Like(Compile(like.Value, plan), Compile(like.Pattern, plan), like.Negated);
            case IsNullExpr isNull:
                var tested = Compile(isNull.Value, plan);
                return g => (tested(g) is null) != isNull.Negated;
            default:
                throw new FederatedSqlException(FederatedSqlFailureCode.OutsideSubset, $"cannot evaluate {SqlText.Render(expression)} after the merge");
        }
    }

    private static int IndexOf(IReadOnlyList<string> keys, string column)
    {
        for (int i = 0; i < keys.Count; i++)
        {
            if (keys[i] == column)
            {
                return i;
            }
        }

        throw new FederatedSqlException(FederatedSqlFailureCode.OutsideSubset, $"{column} is not a GROUP BY column");
    }

    private static Func<MergedGroup, object?> Aggregate(AggregateBinding binding) => binding.Function switch
    {
        "count_distinct" => g => (long)(g.Distinct?.Count ?? 0),
        "avg" => g => g.Partials[binding.Partial] is { } sum && g.Partials[binding.CountPartial] is long count && count > 0
            ? SqlValues.ToDouble(sum) / count
            : null,
        _ => g => g.Partials[binding.Partial],
    };

    private static Func<MergedGroup, object?> And(Func<MergedGroup, object?> left, Func<MergedGroup, object?> right) => g =>
    {
        object? l = left(g);
        if (l is false)
        {
            return false;
        }

        object? r = right(g);
        return r is false ? false : l is true && r is true ? true : null;
    };

    private static Func<MergedGroup, object?> Or(Func<MergedGroup, object?> left, Func<MergedGroup, object?> right) => g =>
    {
        object? l = left(g);
        if (l is true)
        {
            return true;
        }

        object? r = right(g);
        return r is true ? true : l is false && r is false ? false : null;
    };

    private static Func<MergedGroup, object?> Binary(string op, Func<MergedGroup, object?> left, Func<MergedGroup, object?> right) => g =>
    {
        if (left(g) is not { } l || right(g) is not { } r)
        {
            return null;
        }

        return op switch
        {
            "=" => SqlValues.Compare(l, r) == 0,
            "<>" => SqlValues.Compare(l, r) != 0,
            "<" => SqlValues.Compare(l, r) < 0,
            "<=" => SqlValues.Compare(l, r) <= 0,
            ">" => SqlValues.Compare(l, r) > 0,
            ">=" => SqlValues.Compare(l, r) >= 0,
            "/" when SqlValues.ToDouble(r) == 0 => null,
            _ => SqlValues.Arithmetic(op[0], l, r),
        };
    };

    private static Func<MergedGroup, object?> InList(Func<MergedGroup, object?> value, List<Func<MergedGroup, object?>> items, bool negated) => g =>
    {
        if (value(g) is not { } v)
        {
            return null;
        }

        bool sawNull = false;
        foreach (var item in items)
        {
            if (item(g) is not { } candidate)
            {
                sawNull = true;
            }
            else if (SqlValues.Compare(v, candidate) == 0)
            {
                return !negated;
            }
        }

        return sawNull ? null : negated;
    };

    private static Func<MergedGroup, object?> Like(Func<MergedGroup, object?> value, Func<MergedGroup, object?> pattern, bool negated) => g =>
    {
        if (value(g) is not string v || pattern(g) is not string p)
        {
            return null;
        }

        var regex = new StringBuilder("^");
        foreach (char c in p)
        {
            regex.Append(c switch { '%' => ".*", '_' => ".", _ => Regex.Escape(c.ToString()) });
        }

        return Regex.IsMatch(v, regex.Append('$').ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)) != negated;
    };
}
