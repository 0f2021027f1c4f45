using System.Collections.Generic;
using SecGear.Edl.Model;
using SecGear.Edl.Syntax;

namespace SecGear.Edl.Semantics;

/// <summary>EDL struct, union and enum names (one namespace, as in C with typedefs) and enumerator values.</summary>
internal sealed class TypeTable
{
    private readonly Dictionary<string, StructSyntax> _structs = new Dictionary<string, StructSyntax>(System.StringComparer.Ordinal);
    private readonly Dictionary<string, EnumSyntax> _enums = new Dictionary<string, EnumSyntax>(System.StringComparer.Ordinal);
    private readonly Dictionary<string, EnumeratorInfo> _enumerators = new Dictionary<string, EnumeratorInfo>(System.StringComparer.Ordinal);

    public bool TryAddStruct(StructSyntax s) => !Contains(s.Name) && AddStruct(s);

    public bool TryAddEnum(EnumSyntax e) => e.Name != null && !Contains(e.Name) && AddEnum(e);

    public bool Contains(string name) => _structs.ContainsKey(name) || _enums.ContainsKey(name);

    /// <summary>Describes the earlier definition of <paramref name="name"/> for a diagnostic.</summary>
    public (string Kind, SourceLocation Location) Describe(string name)
    {
        if (_structs.TryGetValue(name, out StructSyntax? s))
        {
            return (s.Keyword, s.Location);
        }

        EnumSyntax e = _enums[name];
        return ("enum", e.Location);
    }

    public StructSyntax? FindStruct(string? name) =>
        name != null && _structs.TryGetValue(name, out StructSyntax? s) ? s : null;

    public NamedKind Classify(EdlType type)
    {
        if (type.Base != EdlBaseType.Named || type.Name == null)
        {
            return NamedKind.Builtin;
        }

        if (_structs.TryGetValue(type.Name, out StructSyntax? s))
        {
            return s.IsUnion ? NamedKind.Union : NamedKind.Struct;
        }

        return _enums.ContainsKey(type.Name) ? NamedKind.Enum : NamedKind.Foreign;
    }

    public bool TryGetEnumerator(string name, out EnumeratorInfo info) => _enumerators.TryGetValue(name, out info!);

    public bool TryAddEnumerator(string name, EnumeratorInfo info)
    {
        if (_enumerators.ContainsKey(name))
        {
            return false;
        }

        _enumerators.Add(name, info);
        return true;
    }

    private bool AddStruct(StructSyntax s)
    {
        _structs.Add(s.Name, s);
        return true;
    }

    private bool AddEnum(EnumSyntax e)
    {
        _enums.Add(e.Name!, e);
        return true;
    }
}
