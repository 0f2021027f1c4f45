namespace SecGear.FederatedSql;

/// <summary>How a table's rows are spread over the sites.</summary>
public enum TableDistribution
{
    /// <summary>Horizontally partitioned: every row lives at exactly one site.</summary>
    Partitioned,

    /// <summary>Replicated: every site holds the same, complete copy.</summary>
    Replicated,
}
