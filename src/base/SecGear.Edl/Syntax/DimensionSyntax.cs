using SecGear.Edl.Model;

namespace SecGear.Edl.Syntax
{
    /// <summary>One <c>[n]</c> of a declarator: a literal or the name of an enumerator, resolved by the checker.</summary>
    internal sealed class DimensionSyntax
    {
        public DimensionSyntax(long? literal, string? name, SourceLocation location)
        {
            Literal = literal;
            Name = name;
            Location = location;
        }

        public long? Literal { get; }

        public string? Name { get; }

        public SourceLocation Location { get; }
    }
}
