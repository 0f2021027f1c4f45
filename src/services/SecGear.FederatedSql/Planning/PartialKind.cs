namespace SecGear.FederatedSql.Planning;

/// <summary>What one partial-aggregate column of a site's result holds, and so how the enclave merges it.</summary>
public enum PartialKind
{
    /// <summary>COUNT(*): the group's contributing rows (column 0 of every plan, used by the disclosure policy); merged by adding.</summary>
    CountRows,

    /// <summary>COUNT(x): merged by adding.</summary>
    Count,

    /// <summary>SUM(x), NULL for no non-null x: merged by adding the non-null ones.</summary>
    Sum,

    /// <summary>MIN(x): merged by taking the least.</summary>
    Min,

    /// <summary>MAX(x): merged by taking the greatest.</summary>
    Max,
}
