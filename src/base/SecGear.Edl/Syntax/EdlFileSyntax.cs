using System.Collections.Generic;
using SecGear.Edl.Model;

namespace SecGear.Edl.Syntax;

/// <summary>Everything one EDL file declares, in text order.</summary>
internal sealed class EdlFileSyntax
{
    public EdlFileSyntax(string path)
    {
        Path = path;
        EnclaveLocation = new SourceLocation(path, 1, 1);
    }

    public string Path { get; }

    /// <summary>False when lexing, preprocessing or parsing failed, so the file was only partly read.</summary>
    public bool IsComplete { get; set; } = true;

    /// <summary>Where the <c>enclave</c> keyword is (line 1, column 1 when the file has none).</summary>
    public SourceLocation EnclaveLocation { get; set; }

    public List<FunctionSyntax> Functions { get; } = new List<FunctionSyntax>();

    public List<StructSyntax> Structs { get; } = new List<StructSyntax>();

    public List<EnumSyntax> Enums { get; } = new List<EnumSyntax>();

    public List<IncludeSyntax> Includes { get; } = new List<IncludeSyntax>();

    public List<ImportSyntax> Imports { get; } = new List<ImportSyntax>();
}
