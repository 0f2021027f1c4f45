using System.Collections.Generic;
using SecGear.Edl.Model;

namespace SecGear.Edl.Syntax;

/// <summary>An <c>enum</c> definition as written; <see cref="Name"/> is null for an anonymous enum.</summary>
internal sealed class EnumSyntax
{
    public EnumSyntax(string? name, SourceLocation location)
    {
        Name = name;
        Location = location;
    }

    public string? Name { get; }

    public List<EnumeratorSyntax> Enumerators { get; } = new List<EnumeratorSyntax>();

    public SourceLocation Location { get; }
}
