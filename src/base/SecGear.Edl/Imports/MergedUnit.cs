using System.Collections.Generic;
using SecGear.Edl.Model;
using SecGear.Edl.Syntax;

namespace SecGear.Edl.Imports;

/// <summary>
/// A file merged with its imports in Intel edger8r order. A definition reached twice (same file imported twice, or
/// through a diamond) is the same object and is kept once.
/// </summary>
internal sealed class MergedUnit
{
    private readonly HashSet<object> _seen = new HashSet<object>();

    public List<FunctionSyntax> Functions { get; } = new List<FunctionSyntax>();

    public List<StructSyntax> Structs { get; } = new List<StructSyntax>();

    public List<EnumSyntax> Enums { get; } = new List<EnumSyntax>();

    public List<IncludeSyntax> Includes { get; } = new List<IncludeSyntax>();

    /// <summary>False when some merged file was only partly read (a lexical, preprocessor or syntax error).</summary>
    public bool IsComplete { get; set; } = true;

    /// <summary>The <c>enclave</c> keyword of the file this unit was merged for.</summary>
    public SourceLocation? EnclaveLocation { get; set; }

    public void Add(FunctionSyntax f)
    {
        if (_seen.Add(f))
        {
            Functions.Add(f);
        }
    }

    public void Add(StructSyntax s)
    {
        if (_seen.Add(s))
        {
            Structs.Add(s);
        }
    }

    public void Add(EnumSyntax e)
    {
        if (_seen.Add(e))
        {
            Enums.Add(e);
        }
    }

    public void Add(IncludeSyntax i)
    {
        if (_seen.Add(i))
        {
            Includes.Add(i);
        }
    }

    /// <summary>Adds every type and include of <paramref name="other"/>.</summary>
    public void AddTypesAndIncludes(MergedUnit other)
    {
        IsComplete &= other.IsComplete;
        foreach (StructSyntax s in other.Structs)
        {
            Add(s);
        }

        foreach (EnumSyntax e in other.Enums)
        {
            Add(e);
        }

        foreach (IncludeSyntax i in other.Includes)
        {
            Add(i);
        }
    }
}
