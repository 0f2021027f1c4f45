namespace SecGear.EncryptedDb;

/// <summary>What one output column of a query is.</summary>
public enum OutputKind : byte
{
    /// <summary>A candidate column's value (a GROUP BY column when the query aggregates).</summary>
    Column = 1,

    /// <summary>COUNT(*).</summary>
    CountStar = 2,

    /// <summary>COUNT(column): non-null values.</summary>
    Count = 3,

    /// <summary>SUM(column): NULL when no non-null value.</summary>
    Sum = 4,

    /// <summary>AVG(column): SUM / COUNT as decimal; NULL when no non-null value.</summary>
    Avg = 5,

    /// <summary>MIN(column).</summary>
    Min = 6,

    /// <summary>MAX(column).</summary>
    Max = 7,
}
