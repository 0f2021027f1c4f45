using System.Collections.Generic;
using SecGear.Edl.Model;

namespace SecGear.Edl.Syntax;

/// <summary>A trusted or untrusted function as written in one file.</summary>
internal sealed class FunctionSyntax
{
    public string Name { get; set; } = "";

    public bool IsTrusted { get; set; }

    public bool IsPublic { get; set; }

    public EdlType ReturnType { get; set; } = new EdlType(EdlBaseType.Void, null, EdlTagKind.None, 0, false);

    public List<DeclarationSyntax> Parameters { get; } = new List<DeclarationSyntax>();

    public bool Switchless { get; set; }

    public bool PropagateErrno { get; set; }

    /// <summary>Names in <c>allow(...)</c>, as tokens so errors point at the name.</summary>
    public List<Token> Allow { get; } = new List<Token>();

    public EdlCallingConvention CallingConvention { get; set; }

    public bool DllImport { get; set; }

    public SourceLocation Location { get; set; } = new SourceLocation("", 0, 0);
}
