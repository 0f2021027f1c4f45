namespace SecGear.EncryptedDb;

/// <summary>One output column: a candidate column or an aggregate over one (<paramref name="Column"/> is -1 for COUNT(*)).</summary>
/// <param name="Kind">What it computes.</param>
/// <param name="Column">The candidate column, or -1.</param>
public sealed record PlanOutput(OutputKind Kind, int Column)
{
    /// <summary>True for the aggregate kinds.</summary>
    public bool IsAggregate => Kind != OutputKind.Column;
}
