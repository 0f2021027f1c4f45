namespace SecGear.FederatedSql.Results;

/// <summary>
/// Compares a federated answer with the same query's answer over the union of the data in one database (the
/// correctness check of the samples and tests). Exact numbers compare exactly; a DOUBLE on either side compares with a
/// relative tolerance (merging sums in another order rounds differently). Without ORDER BY, rows compare as multisets.
/// </summary>
public static class ResultComparison
{
    /// <summary>The relative tolerance for DOUBLE values.</summary>
    public const double Tolerance = 1e-9;

    /// <summary>Returns null when the answers agree, else what differs (row and column).</summary>
    public static string? Difference(IReadOnlyList<object?[]> actual, IReadOnlyList<object?[]> expected, bool ordered)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(expected);
        if (actual.Count != expected.Count)
        {
            return $"{actual.Count} rows, expected {expected.Count}";
        }

        var a = ordered ? actual.ToList() : Sorted(actual);
        var e = ordered ? expected.ToList() : Sorted(expected);
        for (int r = 0; r < a.Count; r++)
        {
            if (a[r].Length != e[r].Length)
            {
                return $"row {r}: {a[r].Length} columns, expected {e[r].Length}";
            }

            for (int c = 0; c < a[r].Length; c++)
            {
                if (!ValueEquals(a[r][c], e[r][c]))
                {
                    return $"row {r}, column {c}: {Show(a[r][c])}, expected {Show(e[r][c])}";
                }
            }
        }

        return null;
    }

    /// <summary>Whether two values agree (numbers by value, DOUBLE within <see cref="Tolerance"/>).</summary>
    public static bool ValueEquals(object? x, object? y)
    {
        if (x is null || y is null)
        {
            return x is null && y is null;
        }

        if (SqlValues.IsNumber(x) && SqlValues.IsNumber(y))
        {
            if (x is double || y is double)
            {
                double p = SqlValues.ToDouble(x), q = SqlValues.ToDouble(y);
                return Math.Abs(p - q) <= Tolerance * Math.Max(1, Math.Max(Math.Abs(p), Math.Abs(q)));
            }

            return SqlValues.ToDecimal(x) == SqlValues.ToDecimal(y);
        }

        return x.GetType() == y.GetType() && SqlValues.Compare(x, y) == 0;
    }

    private static List<object?[]> Sorted(IReadOnlyList<object?[]> rows) =>
        rows.OrderBy(r => r, Comparer<object?[]>.Create(CompareRows)).ToList();

    private static int CompareRows(object?[] a, object?[] b)
    {
        for (int i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            int order = (a[i], b[i]) switch
            {
                (null, null) => 0,
                (null, _) => 1,
                (_, null) => -1,
                var (x, y) when SqlValues.IsNumber(x) && SqlValues.IsNumber(y) => SqlValues.ToDouble(x!).CompareTo(SqlValues.ToDouble(y!)),
                var (x, y) => x!.GetType() == y!.GetType() ? SqlValues.Compare(x, y) : string.CompareOrdinal(x.GetType().Name, y.GetType().Name),
            };
            if (order != 0)
            {
                return order;
            }
        }

        return a.Length.CompareTo(b.Length);
    }

    private static string Show(object? value) => value is null ? "NULL" : $"{value} ({SqlValues.Kind(value)})";
}
