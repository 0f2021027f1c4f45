using SecGear.Edl.Model;

namespace SecGear.Edl.Syntax;

/// <summary>One enumerator: <c>NAME</c>, <c>NAME = 5</c> or <c>NAME = OTHER</c>.</summary>
internal sealed class EnumeratorSyntax
{
    public EnumeratorSyntax(string name, long? literal, string? reference, SourceLocation location)
    {
        Name = name;
        Literal = literal;
        Reference = reference;
        Location = location;
    }

    public string Name { get; }

    public long? Literal { get; }

    public string? Reference { get; }

    public SourceLocation Location { get; }
}
