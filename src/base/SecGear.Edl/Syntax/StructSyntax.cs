using System.Collections.Generic;
using SecGear.Edl.Model;

namespace SecGear.Edl.Syntax;

/// <summary>A <c>struct</c> or <c>union</c> definition as written.</summary>
internal sealed class StructSyntax
{
    public StructSyntax(string name, bool isUnion, SourceLocation location)
    {
        Name = name;
        IsUnion = isUnion;
        Location = location;
    }

    public string Name { get; }

    public bool IsUnion { get; }

    public List<DeclarationSyntax> Members { get; } = new List<DeclarationSyntax>();

    public SourceLocation Location { get; }

    public string Keyword => IsUnion ? "union" : "struct";
}
