using System.Collections.Generic;
using SecGear.Edl.Model;

namespace SecGear.Edl.Syntax;

/// <summary>A parameter or struct member as written: attributes, type and declarator.</summary>
internal sealed class DeclarationSyntax
{
    public DeclarationSyntax(
        string name,
        EdlType type,
        EdlAttributes attributes,
        IReadOnlyList<DimensionSyntax> dimensions,
        SourceLocation location)
    {
        Name = name;
        Type = type;
        Attributes = attributes;
        Dimensions = dimensions;
        Location = location;
    }

    public string Name { get; }

    public EdlType Type { get; }

    /// <summary>The attributes as written; the Open Enclave dialect may add the direction oeedger8r implies.</summary>
    public EdlAttributes Attributes { get; set; }

    public IReadOnlyList<DimensionSyntax> Dimensions { get; }

    /// <summary>Where the declaration starts (its attribute list or its type).</summary>
    public SourceLocation Location { get; }

    public bool IsArray => Dimensions.Count > 0;
}
