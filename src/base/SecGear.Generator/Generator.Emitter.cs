using System.Collections.Generic;
using System.Globalization;
using SecGear.Edl;
using SecGear.Edl.Model;

namespace SecGear.Generator;

/// <summary>
/// Maps one checked <see cref="EdlContract"/> to C#: plans every type and parameter (this file), then writes the
/// shared, host and enclave files (the other <c>Generator.Emitter.*.cs</c> files). Knows nothing about Roslyn.
/// </summary>
internal sealed partial class Emitter
{
    private const string Abi = "global::SecGear.Abi.";

    private readonly EdlContract _contract;
    private readonly EdlSide _side;
    private readonly string _ns;
    private readonly List<EdlDiagnostic> _diagnostics = new List<EdlDiagnostic>();
    private readonly Dictionary<string, EdlStruct> _structs = new Dictionary<string, EdlStruct>(System.StringComparer.Ordinal);
    private readonly Dictionary<string, EdlEnum> _enums = new Dictionary<string, EdlEnum>(System.StringComparer.Ordinal);
    private readonly List<FunctionPlan> _ecalls = new List<FunctionPlan>();
    private readonly List<FunctionPlan> _ocalls = new List<FunctionPlan>();
    private readonly string _p;

    private Emitter(EdlContract contract, EdlSide side, string ns)
    {
        _contract = contract;
        _side = side;
        _ns = Naming.EscapeNamespace(ns);
        _p = Naming.Pascal(contract.Name);
    }

    public static EdlGenerationResult Run(EdlContract contract, EdlSide side, string ns)
    {
        var emitter = new Emitter(contract, side, ns);
        return emitter.Generate();
    }

    private EdlGenerationResult Generate()
    {
        SourceLocation where = new SourceLocation(_contract.FilePath, 1, 1);
        if (!Naming.IsValidNamespace(_ns))
        {
            Error(DiagnosticIds.InvalidNamespace, "'" + _ns + "' is not a valid C# namespace for the code generated from '" + _contract.Name + "'.", where);
            return Result(new List<GeneratedSourceFile>());
        }

        PlanTypes();
        foreach (EdlFunction f in _contract.Trusted)
        {
            FunctionPlan? plan = PlanFunction(f);
            if (plan != null)
            {
                _ecalls.Add(plan);
            }
        }

        foreach (EdlFunction f in _contract.Untrusted)
        {
            FunctionPlan? plan = PlanFunction(f);
            if (plan != null)
            {
                _ocalls.Add(plan);
            }
        }

        CheckMemberNames(_ecalls, "ECALL");
        CheckMemberNames(_ocalls, "OCALL");

        var files = new List<GeneratedSourceFile>();
        if (HasErrors() || _side == EdlSide.None)
        {
            return Result(files);
        }

        files.Add(new GeneratedSourceFile(_p + ".Contract.g.cs", EmitShared()));
        EmitTypes(files);
        if ((_side & EdlSide.Host) != 0)
        {
            files.Add(new GeneratedSourceFile(_p + ".Host.g.cs", EmitHost()));
        }

        if ((_side & EdlSide.Enclave) != 0)
        {
            files.Add(new GeneratedSourceFile(_p + ".Enclave.g.cs", EmitEnclave()));
        }

        return Result(files);
    }

    private EdlGenerationResult Result(List<GeneratedSourceFile> files) =>
        new EdlGenerationResult(HasErrors() ? new GeneratedSourceFile[0] : files.ToArray(), _diagnostics.ToArray());

    private bool HasErrors()
    {
        foreach (EdlDiagnostic d in _diagnostics)
        {
            if (d.Severity == EdlSeverity.Error)
            {
                return true;
            }
        }

        return false;
    }

    private void Error(string id, string message, SourceLocation location) =>
        _diagnostics.Add(new EdlDiagnostic(id, EdlSeverity.Error, message, location));

    /// <summary>Members of the generated contract class; anonymous enumerators become constants beside them.</summary>
    private static readonly string[] ContractMembers = { "Name", "Hash", "HashHex", "Descriptor", "EcallIds", "OcallIds" };

    private string ContractClass => _p + "Contract";

    private string Q(string typeName) => "global::" + _ns + "." + typeName;

    private void PlanTypes()
    {
        var typeNames = new Dictionary<string, string>(System.StringComparer.Ordinal);
        foreach (string generated in new[]
        {
            ContractClass, _p + "Proxy", "I" + _p + "Ocalls", _p + "OcallHandler", "I" + _p + "Ecalls",
            _p + "EcallFactory", _p + "EcallDispatcher", _p + "OcallProxy",
        })
        {
            typeNames[generated] = "the generated type";
        }

        foreach (EdlStruct s in _contract.Structs)
        {
            _structs[s.Name] = s;
            ClaimTypeName(typeNames, Naming.Pascal(s.Name), (s.IsUnion ? "union '" : "struct '") + s.Name + "'", s.Location);
        }

        foreach (KeyValuePair<string, int> foreign in _contract.ForeignTypeSizes)
        {
            if (foreign.Value > 0 && !_structs.ContainsKey(foreign.Key))
            {
                ClaimTypeName(typeNames, Naming.Pascal(foreign.Key), "foreign type '" + foreign.Key + "'", new SourceLocation(_contract.FilePath, 1, 1));
            }
        }

        foreach (EdlEnum e in _contract.Enums)
        {
            if (e.Name != null)
            {
                _enums[e.Name] = e;
                ClaimTypeName(typeNames, Naming.Pascal(e.Name), "enum '" + e.Name + "'", e.Location);
            }

            foreach (EdlEnumerator m in e.Members)
            {
                if (e.Name == null && System.Array.IndexOf(ContractMembers, m.Name) >= 0)
                {
                    Error(DiagnosticIds.NameCollision, "Anonymous enumerator '" + m.Name + "' would collide with " + ContractClass + "." + m.Name + ".", m.Location);
                }

                if (m.ForeignValue == null && (m.Value < int.MinValue || m.Value > int.MaxValue))
                {
                    Error(DiagnosticIds.Unsupported, "Enumerator '" + m.Name + "' = " + m.Value.ToString(CultureInfo.InvariantCulture) + " does not fit in a C# int (EDL enums are C int).", m.Location);
                }
            }
        }

        foreach (EdlStruct s in _contract.Structs)
        {
            var members = new Dictionary<string, string>(System.StringComparer.Ordinal);
            string typeName = Naming.Pascal(s.Name);
            foreach (EdlMember m in s.Members)
            {
                string field = Naming.Pascal(m.Name);
                if (field == typeName || members.ContainsKey(field) || members.ContainsKey(field + "Array"))
                {
                    Error(DiagnosticIds.NameCollision, "Member '" + m.Name + "' of '" + s.Name + "' maps to the C# name '" + field + "', which is already taken.", m.Location);
                }

                members[field] = m.Name;
                if (m.Dimensions.Count > 0)
                {
                    members[field + "Array"] = m.Name;
                }

                if (MemberType(m) == null)
                {
                    Error(DiagnosticIds.Unsupported, "Member '" + m.Name + "' of '" + s.Name + "' has a type with no C# mapping (" + Describe(m.Type) + ").", m.Location);
                }
            }
        }
    }

    private void ClaimTypeName(Dictionary<string, string> taken, string name, string what, SourceLocation location)
    {
        if (taken.TryGetValue(name, out string? other))
        {
            Error(DiagnosticIds.NameCollision, what + " maps to the C# type name '" + name + "', already used by " + other + ".", location);
            return;
        }

        taken[name] = what;
    }

    /// <summary>C# type of a struct member, or null when it has none. Pointers are raw addresses (nint).</summary>
    private CsType? MemberType(EdlMember m)
    {
        if (m.Type.IsPointer)
        {
            return CsType.NInt;
        }

        if (m.Dimensions.Count > 0)
        {
            return Pointee(m.Type);
        }

        return Scalar(m.Type);
    }

    /// <summary>The C# type for a non-pointer EDL type, or null.</summary>
    private CsType? Scalar(EdlType t)
    {
        switch (t.Base)
        {
            case EdlBaseType.Char: return CsType.SByte;
            case EdlBaseType.UnsignedChar: return CsType.Byte;
            case EdlBaseType.Short: return CsType.Int16;
            case EdlBaseType.UnsignedShort: return CsType.UInt16;
            case EdlBaseType.Int: return CsType.Int32;
            case EdlBaseType.UnsignedInt: return CsType.UInt32;
            case EdlBaseType.Long: return CsType.Int64;
            case EdlBaseType.UnsignedLong: return CsType.UInt64;
            case EdlBaseType.LongLong: return CsType.Int64;
            case EdlBaseType.UnsignedLongLong: return CsType.UInt64;
            case EdlBaseType.Float: return CsType.Single;
            case EdlBaseType.Double: return CsType.Double;
            case EdlBaseType.SizeT: return CsType.NUInt;
            case EdlBaseType.WCharT: return CsType.UInt32;
            case EdlBaseType.Bool: return CsType.Bool;
            case EdlBaseType.Int8: return CsType.SByte;
            case EdlBaseType.Int16: return CsType.Int16;
            case EdlBaseType.Int32: return CsType.Int32;
            case EdlBaseType.Int64: return CsType.Int64;
            case EdlBaseType.UInt8: return CsType.Byte;
            case EdlBaseType.UInt16: return CsType.UInt16;
            case EdlBaseType.UInt32: return CsType.UInt32;
            case EdlBaseType.UInt64: return CsType.UInt64;
            case EdlBaseType.UIntPtr: return CsType.NUInt;
            case EdlBaseType.IntPtr: return CsType.NInt;
            case EdlBaseType.SSizeT: return CsType.NInt;
            case EdlBaseType.Named: return Named(t);
            default: return null;
        }
    }

    /// <summary>The element type behind a pointer or array: bytes for void and the char family.</summary>
    private CsType? Pointee(EdlType t)
    {
        switch (t.Base)
        {
            case EdlBaseType.Void:
            case EdlBaseType.Char:
            case EdlBaseType.UnsignedChar:
            case EdlBaseType.Int8:
            case EdlBaseType.UInt8:
                return CsType.Byte;
            default:
                return Scalar(t);
        }
    }

    private CsType? Named(EdlType t)
    {
        string name = t.Name ?? "";
        if (t.TagKind != EdlTagKind.Enum && _structs.TryGetValue(name, out EdlStruct? s) &&
            (t.TagKind == EdlTagKind.None || (t.TagKind == EdlTagKind.Union) == s.IsUnion))
        {
            return new CsType(Q(Naming.Pascal(s.Name)), WireKind.Struct);
        }

        if (t.TagKind != EdlTagKind.Struct && t.TagKind != EdlTagKind.Union && _enums.ContainsKey(name))
        {
            return new CsType(Q(Naming.Pascal(name)), WireKind.Enum);
        }

        if (t.TagKind == EdlTagKind.None && ForeignSize(name) > 0)
        {
            // A foreign type with a known size: an opaque blob of that many bytes (its layout lives in a C header).
            return new CsType(Q(Naming.Pascal(name)), WireKind.Struct);
        }

        return null;
    }

    /// <summary>Size in bytes of a foreign type, from <c>EdlCompileOptions.ForeignTypeSizes</c>; 0 when unknown.</summary>
    private int ForeignSize(string name) =>
        _contract.ForeignTypeSizes.TryGetValue(name, out int size) && !_structs.ContainsKey(name) && !_enums.ContainsKey(name) ? size : 0;

    private static string Describe(EdlType t)
    {
        string name;
        switch (t.Base)
        {
            case EdlBaseType.Named:
                name = (t.TagKind == EdlTagKind.None ? "" : t.TagKind.ToString().ToLowerInvariant() + " ") + t.Name;
                break;
            case EdlBaseType.LongDouble:
                name = "long double";
                break;
            default:
                name = t.Base.ToString();
                break;
        }

        return name + new string('*', t.PointerDepth);
    }

    private FunctionPlan? PlanFunction(EdlFunction f)
    {
        string kind = f.IsTrusted ? "ECALL" : "OCALL";
        bool ok = true;
        CsType? ret = null;
        if (f.ReturnType.IsPointer)
        {
            ret = CsType.NInt;
        }
        else if (f.ReturnType.Base != EdlBaseType.Void)
        {
            ret = Scalar(f.ReturnType);
            if (ret == null)
            {
                Error(DiagnosticIds.Unsupported, kind + " '" + f.Name + "' returns " + Describe(f.ReturnType) + ", which has no C# mapping.", f.Location);
                ok = false;
            }
        }

        var parameters = new List<ParamPlan>();
        var names = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (EdlParameter p in f.Parameters)
        {
            ParamPlan? plan = PlanParameter(f, p);
            if (plan == null)
            {
                ok = false;
                continue;
            }

            if (!names.Add(plan.Local) || plan.Local.StartsWith("__", System.StringComparison.Ordinal) ||
                (f.Switchless && plan.Local == "cancellationToken"))
            {
                Error(DiagnosticIds.NameCollision, "Parameter '" + p.Name + "' of " + kind + " '" + f.Name + "' maps to the C# name '" + plan.CsName + "', which is already taken.", p.Location);
                ok = false;
            }

            parameters.Add(plan);
        }

        if (!ok)
        {
            return null;
        }

        ok = ResolveSizes(f, parameters);
        return ok ? new FunctionPlan(f, Naming.Pascal(f.Name), ret, parameters) : null;
    }

    private ParamPlan? PlanParameter(EdlFunction f, EdlParameter p)
    {
        EdlAttributes a = p.Attributes;
        string csName = Naming.Camel(p.Name);
        string where = "Parameter '" + p.Name + "' of '" + f.Name + "'";
        bool isArray = p.Dimensions.Count > 0;

        if (a.UserCheck)
        {
            return new ParamPlan(p, csName, ParamKind.UserCheck, CsType.NInt);
        }

        if (a.IsPtr || a.IsAry)
        {
            Error(DiagnosticIds.Unsupported, where + " uses " + (a.IsPtr ? "isptr" : "isary") + "; the C# generator does not map foreign pointer and array typedefs yet (pass it as [user_check] or spell out the pointer).", p.Location);
            return null;
        }

        if (!p.Type.IsPointer && !isArray)
        {
            if (p.Type.Base == EdlBaseType.Void)
            {
                Error(DiagnosticIds.Unsupported, where + " has type void.", p.Location);
                return null;
            }

            CsType? value = Scalar(p.Type);
            if (value == null)
            {
                Error(DiagnosticIds.Unsupported, where + " has type " + Describe(p.Type) + ", which has no C# mapping.", p.Location);
                return null;
            }

            if (value.Kind == WireKind.Struct && IsDeepCopy(p.Type))
            {
                Error(DiagnosticIds.Unsupported, where + " passes deep-copy struct '" + p.Type.Name + "' by value.", p.Location);
                return null;
            }

            return new ParamPlan(p, csName, ParamKind.Value, value);
        }

        if (!a.In && !a.Out)
        {
            Error(DiagnosticIds.Unsupported, where + " is a pointer or array with no direction ([in], [out] or [user_check]).", p.Location);
            return null;
        }

        if (a.String || a.WString)
        {
            if (!a.In || isArray || p.Type.PointerDepth != 1)
            {
                Error(DiagnosticIds.Unsupported, where + ": string and wstring need [in] or [in, out] on a single pointer.", p.Location);
                return null;
            }

            return new ParamPlan(p, csName, a.Out ? ParamKind.StringRef : ParamKind.String, CsType.Byte);
        }

        // A pointer to pointers (or an array of pointers) copies the pointer values themselves, as Intel does:
        // raw addresses that are never followed.
        bool ofPointers = p.Type.PointerDepth > 1 || (isArray && p.Type.IsPointer);
        CsType? element = ofPointers ? CsType.NInt : Pointee(p.Type);
        if (element == null)
        {
            Error(DiagnosticIds.Unsupported, where + " points to " + Describe(new EdlType(p.Type.Base, p.Type.Name, p.Type.TagKind, 0, false)) + ", which has no C# mapping (foreign types need [user_check]).", p.Location);
            return null;
        }

        if (element.Kind == WireKind.Struct && IsDeepCopy(p.Type))
        {
            Error(DiagnosticIds.Unsupported, where + " passes deep-copy struct '" + p.Type.Name + "' (a pointer member with size/count); the C# generator does not implement deep copy yet.", p.Location);
            return null;
        }

        if (isArray)
        {
            long elements = 1;
            foreach (int d in p.Dimensions)
            {
                if (d <= 0 || elements > int.MaxValue / d)
                {
                    Error(DiagnosticIds.Unsupported, where + " has an array dimension that is not positive or too large.", p.Location);
                    return null;
                }

                elements *= d;
            }

            return new ParamPlan(p, csName, ParamKind.Buffer, element) { FixedElements = elements };
        }

        if (a.Size != null || a.Count != null)
        {
            return new ParamPlan(p, csName, ParamKind.Buffer, element);
        }

        if (p.Type.Base == EdlBaseType.Void && !ofPointers)
        {
            Error(DiagnosticIds.Unsupported, where + " is a void pointer with no size or count.", p.Location);
            return null;
        }

        return new ParamPlan(p, csName, ParamKind.Pointer, element);
    }

    private bool IsDeepCopy(EdlType t) =>
        t.Name != null && _structs.TryGetValue(t.Name, out EdlStruct? s) && s.IsDeepCopy;

    private bool ResolveSizes(EdlFunction f, List<ParamPlan> parameters)
    {
        bool ok = true;
        var uses = new Dictionary<string, int>(System.StringComparer.Ordinal);
        foreach (ParamPlan p in parameters)
        {
            if (p.Kind != ParamKind.Buffer)
            {
                continue;
            }

            foreach (EdlSizeExpr? e in new[] { p.Edl.Attributes.Size, p.Edl.Attributes.Count })
            {
                if (e == null)
                {
                    continue;
                }

                if (e.Reference == null)
                {
                    if (e.Literal == null || e.Literal < 0)
                    {
                        Error(DiagnosticIds.BadSizeReference, "The size or count of '" + p.Name + "' in '" + f.Name + "' is neither a non-negative number nor a parameter.", p.Edl.Location);
                        ok = false;
                    }

                    continue;
                }

                ParamPlan? target = Find(parameters, e.Reference);
                if (target == null || target.Kind != ParamKind.Value || !target.Type.CanBeSize)
                {
                    Error(DiagnosticIds.BadSizeReference, "The size or count of '" + p.Name + "' in '" + f.Name + "' refers to '" + e.Reference + "', which is not an integer, enum or bool parameter passed by value.", p.Edl.Location);
                    ok = false;
                    continue;
                }

                uses.TryGetValue(e.Reference, out int n);
                uses[e.Reference] = n + 1;
            }
        }

        if (!ok)
        {
            return false;
        }

        // Fold a size/count parameter into its span when the span is its only user and it is the span's only length.
        foreach (ParamPlan p in parameters)
        {
            EdlSizeExpr? size = p.Edl.Attributes.Size;
            EdlSizeExpr? count = p.Edl.Attributes.Count;
            if (p.Kind != ParamKind.Buffer || p.FixedElements != 0 || (size == null) == (count == null))
            {
                continue;
            }

            string? reference = (size ?? count)!.Reference;
            if (reference == null || uses[reference] != 1)
            {
                continue;
            }

            ParamPlan target = Find(parameters, reference)!;
            if (!target.Type.IsInteger)
            {
                // Enum and bool sizes (accepted by the EDL compiler with a warning) stay explicit parameters.
                continue;
            }

            target.FoldedInto = p;
            p.FoldedSize = target;
            p.FoldedIsCount = count != null;
        }

        return true;
    }

    private static ParamPlan? Find(List<ParamPlan> parameters, string edlName)
    {
        foreach (ParamPlan p in parameters)
        {
            if (p.Name == edlName)
            {
                return p;
            }
        }

        return null;
    }

    private void CheckMemberNames(List<FunctionPlan> functions, string kind)
    {
        var taken = new Dictionary<string, string>(System.StringComparer.Ordinal);
        foreach (string reserved in new[] { "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize", "Dispatch", "Contract", "EcallInterface", "Create", "Channel", _p + "Proxy", _p + "OcallProxy", _p + "OcallHandler", _p + "EcallDispatcher" })
        {
            taken[reserved] = "a generated member";
        }

        foreach (FunctionPlan f in functions)
        {
            if (IsTaken(taken, f.CsName, f.HasAsync))
            {
                // Two EDL names with one PascalCase form ('Insertavl' and 'Insertavl_'): the later one keeps its EDL
                // spelling, else gets a number, so real-world EDL still generates (docs/edl-to-csharp.md).
                f.CsName = UniqueMemberName(taken, f);
            }

            ClaimMember(taken, f.CsName, kind, f);
            if (f.HasAsync)
            {
                ClaimMember(taken, f.CsName + "Async", kind, f);
            }
        }
    }

    private static bool IsTaken(Dictionary<string, string> taken, string name, bool withAsync) =>
        taken.ContainsKey(name) || (withAsync && taken.ContainsKey(name + "Async"));

    private static string UniqueMemberName(Dictionary<string, string> taken, FunctionPlan f)
    {
        string edl = f.Edl.Name;
        if (Naming.Escape(edl) == edl && char.IsUpper(edl[0]) && !IsTaken(taken, edl, f.HasAsync))
        {
            return edl;
        }

        for (int i = 2; ; i++)
        {
            string candidate = f.CsName + "_" + i.ToString(CultureInfo.InvariantCulture);
            if (!IsTaken(taken, candidate, f.HasAsync))
            {
                return candidate;
            }
        }
    }

    private void ClaimMember(Dictionary<string, string> taken, string name, string kind, FunctionPlan f)
    {
        if (taken.TryGetValue(name, out string? other))
        {
            Error(DiagnosticIds.NameCollision, kind + " '" + f.Edl.Name + "' maps to the C# method name '" + name + "', already used by " + other + ".", f.Edl.Location);
            return;
        }

        taken[name] = kind + " '" + f.Edl.Name + "'";
    }
}
