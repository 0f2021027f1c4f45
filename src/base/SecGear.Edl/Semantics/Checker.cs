using System;
using System.Collections.Generic;
using SecGear.Edl.Diagnostics;
using SecGear.Edl.Imports;
using SecGear.Edl.Model;
using SecGear.Edl.Syntax;

namespace SecGear.Edl.Semantics;

/// <summary>
/// Applies the semantic rules of edl-grammar.md section 4 (the "Rec." column) to a merged unit, resolves enum
/// values and dimensions, numbers the functions, and builds the <see cref="EdlContract"/>.
/// </summary>
internal sealed partial class Checker
{
    private readonly string _rootPath;
    private readonly MergedUnit _unit;
    private readonly EdlCompileOptions _options;
    private readonly DiagnosticBag _diagnostics;
    private readonly TypeTable _types = new TypeTable();
    private readonly Dictionary<string, int> _usedForeignSizes = new Dictionary<string, int>(StringComparer.Ordinal);
    private readonly HashSet<StructSyntax> _definedStructs = new HashSet<StructSyntax>();
    private readonly HashSet<EnumSyntax> _definedEnums = new HashSet<EnumSyntax>();
    private readonly Dictionary<StructSyntax, bool> _deepCopy = new Dictionary<StructSyntax, bool>();
    private bool _partial;

    private Checker(string rootPath, MergedUnit unit, EdlCompileOptions options, DiagnosticBag diagnostics)
    {
        _rootPath = rootPath;
        _unit = unit;
        _options = options;
        _diagnostics = diagnostics;
    }

    /// <summary>Checks <paramref name="unit"/>; returns the contract, or null when any error was reported (now or before).</summary>
    public static EdlContract? Check(string rootPath, MergedUnit unit, EdlCompileOptions options, DiagnosticBag diagnostics)
    {
        var checker = new Checker(rootPath, unit, options, diagnostics);
        return checker.Run();
    }

    private EdlContract? Run()
    {
        // After a lexical or syntax error the file was only partly read, so whole-contract rules (allow lists,
        // "no public ECALL") would only repeat that error.
        _partial = !_unit.IsComplete;
        DefineTypes();
        List<EdlEnum> enums = ResolveEnums();
        List<EdlStruct> structs = CheckStructs();
        CheckStructCycles();
        List<EdlFunction> trusted = new List<EdlFunction>();
        List<EdlFunction> untrusted = new List<EdlFunction>();
        CheckFunctions(trusted, untrusted);
        CheckAllowLists(trusted, untrusted);
        if (_diagnostics.HasErrors)
        {
            return null;
        }

        var includes = new List<string>();
        var directives = new List<EdlInclude>();
        var seenHeaders = new HashSet<string>(StringComparer.Ordinal);
        var seenDirectives = new HashSet<EdlInclude>();
        foreach (IncludeSyntax inc in _unit.Includes)
        {
            if (seenHeaders.Add(inc.Header))
            {
                includes.Add(inc.Header);
            }

            EdlIncludeSide side = inc.TrustedSide == null ? EdlIncludeSide.Both : inc.TrustedSide.Value ? EdlIncludeSide.Trusted : EdlIncludeSide.Untrusted;
            var directive = new EdlInclude(inc.Header, side);
            if (seenDirectives.Add(directive))
            {
                directives.Add(directive);
            }
        }

        return new EdlContract
        {
            Name = ContractName(_rootPath),
            FilePath = _rootPath,
            Trusted = trusted,
            Untrusted = untrusted,
            Structs = structs,
            Enums = enums,
            Includes = includes,
            IncludeDirectives = directives,
            ForeignTypeSizes = _usedForeignSizes,
        };
    }

    private static string ContractName(string path)
    {
        int slash = Math.Max(path.LastIndexOf('/'), path.LastIndexOf('\\'));
        string file = path.Substring(slash + 1);
        int dot = file.LastIndexOf('.');
        return dot > 0 ? file.Substring(0, dot) : file;
    }

    private void DefineTypes()
    {
        foreach (StructSyntax s in _unit.Structs)
        {
            if (_types.TryAddStruct(s))
            {
                _definedStructs.Add(s);
            }
            else
            {
                ReportTypeClash(s.Name, s.Location);
            }
        }

        foreach (EnumSyntax e in _unit.Enums)
        {
            if (e.Name == null || _types.TryAddEnum(e))
            {
                _definedEnums.Add(e);
            }
            else
            {
                ReportTypeClash(e.Name, e.Location);
            }
        }
    }

    private void ReportTypeClash(string name, SourceLocation location)
    {
        (string kind, SourceLocation first) = _types.Describe(name);
        if (first.File == location.File)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.DuplicateType, location, name, kind, first);
        }
        else
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.TypeRedefinedByImport, location, name, first);
        }
    }

    /// <summary>True when <paramref name="name"/> is an enumerator of this contract (defined anywhere in it).</summary>
    private bool IsEnumeratorName(string name)
    {
        foreach (EnumSyntax e in _unit.Enums)
        {
            foreach (EnumeratorSyntax m in e.Enumerators)
            {
                if (m.Name == name)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private List<EdlEnum> ResolveEnums()
    {
        var result = new List<EdlEnum>();
        foreach (EnumSyntax e in _unit.Enums)
        {
            if (!_definedEnums.Contains(e))
            {
                continue;
            }

            var members = new List<EdlEnumerator>();
            long next = 0;
            bool nextValid = true;
            string? foreignBase = null;
            long foreignOffset = 0;
            foreach (EnumeratorSyntax m in e.Enumerators)
            {
                long value;
                bool literal = false;
                string? foreign = null;
                if (m.Literal != null)
                {
                    value = m.Literal.Value;
                    literal = true;
                    foreignBase = null;
                }
                else if (m.Reference != null)
                {
                    foreignBase = null;
                    if (_types.TryGetEnumerator(m.Reference, out EnumeratorInfo? referenced))
                    {
                        value = referenced.Value;
                        foreign = referenced.ForeignValue;
                    }
                    else if (IsEnumeratorName(m.Reference))
                    {
                        _diagnostics.Report(EdlDiagnosticDescriptors.BadEnumValue, m.Location, m.Name, "'" + m.Reference + "' is not an enumerator defined before it");
                        value = 0;
                    }
                    else if (_options.ForeignConstants.TryGetValue(m.Reference, out long given))
                    {
                        value = given;
                    }
                    else
                    {
                        // Intel's and Open Enclave's tools copy the name into C, where a header defines it. C# cannot
                        // see that header: the enumerator keeps the name, has no value, and its implicit successors
                        // count up from it (see docs/edl.md, "Enumerator values").
                        _diagnostics.Report(EdlDiagnosticDescriptors.ForeignEnumValue, m.Location, m.Name, m.Reference);
                        value = 0;
                        foreign = m.Reference;
                        foreignBase = m.Reference;
                        foreignOffset = 0;
                    }
                }
                else if (foreignBase != null)
                {
                    foreignOffset++;
                    value = 0;
                    foreign = foreignBase + "+" + foreignOffset.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                else
                {
                    if (!nextValid)
                    {
                        _diagnostics.Report(EdlDiagnosticDescriptors.BadEnumValue, m.Location, m.Name, "the implicit value overflows a 64-bit integer");
                    }

                    value = next;
                }

                nextValid = value != long.MaxValue;
                next = nextValid ? value + 1 : value;
                if (_types.TryGetEnumerator(m.Name, out EnumeratorInfo? earlier))
                {
                    _diagnostics.Report(EdlDiagnosticDescriptors.DuplicateEnumerator, m.Location, m.Name, earlier.Location);
                }
                else
                {
                    _types.TryAddEnumerator(m.Name, new EnumeratorInfo(value, literal && foreign == null, m.Location) { ForeignValue = foreign });
                }

                members.Add(new EdlEnumerator(m.Name, value, m.Location) { ForeignValue = foreign });
            }

            result.Add(new EdlEnum(e.Name, members, e.Location));
        }

        return result;
    }

    private List<int> ResolveDimensions(string owner, IReadOnlyList<DimensionSyntax> dimensions)
    {
        var result = new List<int>(dimensions.Count);
        long product = 1;
        foreach (DimensionSyntax dim in dimensions)
        {
            long value;
            if (dim.IsInvalid)
            {
                continue;
            }

            if (dim.Literal != null)
            {
                value = dim.Literal.Value;
            }
            else if (dim.Name != null && _types.TryGetEnumerator(dim.Name, out EnumeratorInfo? info) && info.IsLiteral)
            {
                value = info.Value;
                if (value <= 0)
                {
                    _diagnostics.Report(EdlDiagnosticDescriptors.BadDimension, dim.Location, "'" + dim.Name + "' (value " + value + ")");
                    continue;
                }
            }
            else
            {
                _diagnostics.Report(EdlDiagnosticDescriptors.UnknownDimension, dim.Location, dim.Name ?? "");
                continue;
            }

            if (value > int.MaxValue || product * value > int.MaxValue)
            {
                _diagnostics.Report(EdlDiagnosticDescriptors.ArrayTooLarge, dim.Location, owner, int.MaxValue);
                return result;
            }

            product *= value;
            result.Add((int)value);
        }

        return result;
    }

    /// <summary>Checks that a tagged spelling (<c>struct X</c>) matches what X is, when X is an EDL type.</summary>
    private void CheckTag(EdlType type, SourceLocation location)
    {
        if (type.Base != EdlBaseType.Named || type.TagKind == EdlTagKind.None)
        {
            return;
        }

        NamedKind kind = _types.Classify(type);
        string? actual = kind switch
        {
            NamedKind.Struct => type.TagKind == EdlTagKind.Struct ? null : "struct",
            NamedKind.Union => type.TagKind == EdlTagKind.Union ? null : "union",
            NamedKind.Enum => type.TagKind == EdlTagKind.Enum ? null : "enum",
            _ => null,
        };
        if (actual != null)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.InvalidTypeSpelling, location, "'" + TypeSpelling.BaseName(type) + "' names an EDL " + actual + ", not a " + type.TagKind.ToString().ToLowerInvariant());
        }
    }

    /// <summary>True when the foreign type has a size mapping; records it for the contract.</summary>
    private bool HasForeignSize(string? name)
    {
        if (name != null && _options.ForeignTypeSizes != null && _options.ForeignTypeSizes.TryGetValue(name, out int size))
        {
            _usedForeignSizes[name] = size;
            return true;
        }

        return false;
    }

    /// <summary>True for a deep-copy struct; cached so that many uses of one large struct stay linear.</summary>
    private bool IsDeepCopy(StructSyntax s)
    {
        if (_deepCopy.TryGetValue(s, out bool cached))
        {
            return cached;
        }

        bool result = false;
        foreach (DeclarationSyntax m in s.Members)
        {
            if (m.Type.IsPointer && (m.Attributes.Size != null || m.Attributes.Count != null))
            {
                result = true;
                break;
            }
        }

        _deepCopy[s] = result;
        return result;
    }

    private static bool IsNonPortable(EdlBaseType t) =>
        t == EdlBaseType.WCharT || t == EdlBaseType.Long || t == EdlBaseType.UnsignedLong || t == EdlBaseType.LongDouble;
}
