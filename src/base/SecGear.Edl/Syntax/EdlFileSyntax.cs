using System.Collections.Generic;

namespace SecGear.Edl.Syntax
{
    /// <summary>Everything one EDL file declares, in text order.</summary>
    internal sealed class EdlFileSyntax
    {
        public EdlFileSyntax(string path)
        {
            Path = path;
        }

        public string Path { get; }

        /// <summary>False when lexing, preprocessing or parsing failed, so the file was only partly read.</summary>
        public bool IsComplete { get; set; } = true;

        public List<FunctionSyntax> Functions { get; } = new List<FunctionSyntax>();

        public List<StructSyntax> Structs { get; } = new List<StructSyntax>();

        public List<EnumSyntax> Enums { get; } = new List<EnumSyntax>();

        public List<IncludeSyntax> Includes { get; } = new List<IncludeSyntax>();

        public List<ImportSyntax> Imports { get; } = new List<ImportSyntax>();
    }
}
