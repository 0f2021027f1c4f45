using System.Collections.Generic;
using SecGear.Edl.Model;

namespace SecGear.Edl.Syntax
{
    /// <summary>A parameter or struct member as written: attributes, type and declarator.</summary>
    internal sealed class DeclarationSyntax
    {
        public DeclarationSyntax(
            string name,
            EdlType type,
            EdlAttributes attributes,
            bool hasAttributeList,
            IReadOnlyList<DimensionSyntax> dimensions,
            SourceLocation location)
        {
            Name = name;
            Type = type;
            Attributes = attributes;
            HasAttributeList = hasAttributeList;
            Dimensions = dimensions;
            Location = location;
        }

        public string Name { get; }

        public EdlType Type { get; }

        public EdlAttributes Attributes { get; }

        /// <summary>True when a <c>[...]</c> attribute list was written, even one whose every entry was rejected.</summary>
        public bool HasAttributeList { get; }

        public IReadOnlyList<DimensionSyntax> Dimensions { get; }

        /// <summary>Where the declaration starts (its attribute list or its type).</summary>
        public SourceLocation Location { get; }

        public bool IsArray => Dimensions.Count > 0;
    }
}
