using SecGear.Edl.Model;

namespace SecGear.Edl.Syntax;

/// <summary>One <c>[n]</c> of a declarator: a literal or the name of an enumerator, resolved by the checker.</summary>
internal sealed class DimensionSyntax
{
    public static DimensionSyntax Invalid(SourceLocation location) => new DimensionSyntax(null, null, location);

    public DimensionSyntax(long? literal, string? name, SourceLocation location)
    {
        Literal = literal;
        Name = name;
        Location = location;
    }

    /// <summary>True for a dimension already reported as invalid: the declarator stays an array, with no further errors.</summary>
    public bool IsInvalid => Literal == null && Name == null;

    public long? Literal { get; }

    public string? Name { get; }

    public SourceLocation Location { get; }
}
