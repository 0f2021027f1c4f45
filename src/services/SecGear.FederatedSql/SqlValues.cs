namespace SecGear.FederatedSql;

/// <summary>
/// Arithmetic and ordering on the subset's values: <see cref="long"/>, <see cref="decimal"/>, <see cref="double"/>,
/// <see cref="string"/>, <see cref="DateOnly"/>, <see cref="bool"/> and null. Integers that overflow widen to decimal;
/// anything with a double is double; strings compare by code point; NULL is handled by the callers (SQL semantics).
/// </summary>
public static class SqlValues
{
    /// <summary>a + b (both non-null numbers).</summary>
    public static object Add(object a, object b) => Arithmetic('+', a, b);

    /// <summary>Applies + - * or / to two non-null numbers; / is always floating-point division.</summary>
    public static object Arithmetic(char op, object a, object b)
    {
        if (op == '/')
        {
            double divisor = ToDouble(b);
            return ToDouble(a) / divisor;
        }

        if (a is double || b is double)
        {
            double x = ToDouble(a), y = ToDouble(b);
            return op switch { '+' => x + y, '-' => x - y, _ => x * y };
        }

        if (a is long la && b is long lb)
        {
            try
            {
                return op switch { '+' => checked(la + lb), '-' => checked(la - lb), _ => checked(la * lb) };
            }
            catch (OverflowException)
            {
                // Wider than 64 bits: continue in decimal, as DuckDB widens to HUGEINT.
            }
        }

        decimal p = ToDecimal(a), q = ToDecimal(b);
        return op switch { '+' => p + q, '-' => p - q, _ => p * q };
    }

    /// <summary>Orders two non-null values of comparable kinds; throws <see cref="FederatedSqlException"/> for incomparable ones.</summary>
    public static int Compare(object a, object b)
    {
        switch (a, b)
        {
            case (long x, long y):
                return x.CompareTo(y);
            case (string x, string y):
                return string.CompareOrdinal(x, y);
            case (DateOnly x, DateOnly y):
                return x.CompareTo(y);
            case (bool x, bool y):
                return x.CompareTo(y);
        }

        if (IsNumber(a) && IsNumber(b))
        {
            return a is double || b is double ? ToDouble(a).CompareTo(ToDouble(b)) : ToDecimal(a).CompareTo(ToDecimal(b));
        }

        throw new FederatedSqlException(FederatedSqlFailureCode.OutsideSubset, $"cannot compare a {Kind(a)} with a {Kind(b)}");
    }

    /// <summary>Whether the value is a number.</summary>
    public static bool IsNumber(object? value) => value is long or decimal or double;

    /// <summary>The value as a double.</summary>
    public static double ToDouble(object value) => value switch
    {
        long l => l,
        decimal d => (double)d,
        double f => f,
        _ => throw new FederatedSqlException(FederatedSqlFailureCode.OutsideSubset, $"a {Kind(value)} is not a number"),
    };

    /// <summary>The value as a decimal.</summary>
    public static decimal ToDecimal(object value) => value switch
    {
        long l => l,
        decimal d => d,
        double f => (decimal)f,
        _ => throw new FederatedSqlException(FederatedSqlFailureCode.OutsideSubset, $"a {Kind(value)} is not a number"),
    };

    /// <summary>The SQL name of the value's kind, for messages (never the value itself).</summary>
    public static string Kind(object? value) => value switch
    {
        null => "NULL",
        long => "BIGINT",
        decimal => "DECIMAL",
        double => "DOUBLE",
        string => "VARCHAR",
        DateOnly => "DATE",
        bool => "BOOLEAN",
        _ => value.GetType().Name,
    };
}
