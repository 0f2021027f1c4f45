namespace SecGear.FederatedSql.Planning;

/// <summary>One partial-aggregate column that every site computes.</summary>
/// <param name="Kind">How it merges.</param>
/// <param name="Argument">The canonical SQL of its argument (null for COUNT(*)).</param>
public sealed record PartialAggregate(PartialKind Kind, string? Argument)
{
    /// <summary>The SQL a site runs for it.</summary>
    public string Sql => Kind switch
    {
        PartialKind.CountRows => "COUNT(*)",
        PartialKind.Count => $"COUNT({Argument})",
        PartialKind.Sum => $"SUM({Argument})",
        PartialKind.Min => $"MIN({Argument})",
        _ => $"MAX({Argument})",
    };
}
