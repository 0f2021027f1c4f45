using System.Globalization;
using System.Text;

namespace SecGear.FederatedSql.Sql;

/// <summary>
/// Renders expressions as canonical SQL that DuckDB and PostgreSQL both read the same way. The canonical text is also
/// how expressions are compared (a GROUP BY column and a select item are the same when their texts are).
/// Division always renders as floating-point division (<c>CAST(a AS DOUBLE PRECISION) / b</c>), the subset's meaning of <c>/</c>.
/// </summary>
public static class SqlText
{
    /// <summary>Renders one expression.</summary>
    public static string Render(SqlExpr expression)
    {
        var text = new StringBuilder();
        Append(text, expression);
        return text.ToString();
    }

    /// <summary>Renders a literal value.</summary>
    public static string Literal(object? value) => value switch
    {
        null => "NULL",
        long l => l.ToString(CultureInfo.InvariantCulture),
        decimal d => d.ToString(CultureInfo.InvariantCulture),
        double f => $"CAST({f.ToString("R", CultureInfo.InvariantCulture)} AS DOUBLE PRECISION)",
        string s => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'",
        DateOnly date => "DATE '" + date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "'",
        bool b => b ? "TRUE" : "FALSE",
        _ => throw new ArgumentException($"no SQL literal for a {value.GetType().Name}", nameof(value)),
    };

    private static void Append(StringBuilder text, SqlExpr expression)
    {
        switch (expression)
        {
            case ColumnExpr column:
                text.Append(column.Table is null ? column.Name : column.Table + "." + column.Name);
                break;
            case LiteralExpr literal:
                text.Append(Literal(literal.Value));
                break;
            case BinaryExpr { Operator: "/" } division:
                text.Append("(CAST(");
                Append(text, division.Left);
                text.Append(" AS DOUBLE PRECISION) / ");
                Append(text, division.Right);
                text.Append(')');
                break;
            case BinaryExpr binary:
                text.Append('(');
                Append(text, binary.Left);
                text.Append(' ').Append(binary.Operator.ToUpperInvariant()).Append(' ');
                Append(text, binary.Right);
                text.Append(')');
                break;
            case UnaryExpr unary:
                text.Append('(').Append(unary.Operator == "not" ? "NOT " : "-");
                Append(text, unary.Operand);
                text.Append(')');
                break;
            case BetweenExpr between:
                text.Append('(');
                Append(text, between.Value);
                text.Append(between.Negated ? " NOT BETWEEN " : " BETWEEN ");
                Append(text, between.Low);
                text.Append(" AND ");
                Append(text, between.High);
                text.Append(')');
                break;
            case InListExpr inList:
                text.Append('(');
                Append(text, inList.Value);
                text.Append(inList.Negated ? " NOT IN (" : " IN (");
                for (int i = 0; i < inList.Items.Count; i++)
                {
                    text.Append(i == 0 ? string.Empty : ", ");
                    Append(text, inList.Items[i]);
                }

                text.Append("))");
                break;
            case LikeExpr like:
                text.Append('(');
                Append(text, like.Value);
                text.Append(like.Negated ? " NOT LIKE " : " LIKE ");
                Append(text, like.Pattern);
                text.Append(')');
                break;
            case IsNullExpr isNull:
                text.Append('(');
                Append(text, isNull.Value);
                text.Append(isNull.Negated ? " IS NOT NULL)" : " IS NULL)");
                break;
            case AggregateExpr aggregate:
                text.Append(aggregate.Function.ToUpperInvariant()).Append('(');
                if (aggregate.Argument is null)
                {
                    text.Append('*');
                }
                else
                {
                    text.Append(aggregate.Distinct ? "DISTINCT " : string.Empty);
                    Append(text, aggregate.Argument);
                }

                text.Append(')');
                break;
            default:
                throw new ArgumentException($"unknown expression {expression.GetType().Name}", nameof(expression));
        }
    }
}
