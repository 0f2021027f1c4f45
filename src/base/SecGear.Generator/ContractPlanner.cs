using System.Collections.Generic;
using System.Globalization;
using SecGear.Edl;
using SecGear.Edl.Model;

namespace SecGear.Generator;

/// <summary>
/// Maps one checked <see cref="EdlContract"/> to a <see cref="ContractPlan"/>: C# names and types for every EDL type,
/// function and parameter, the marshalling kind of each parameter, and which size parameters fold into spans. Every
/// contract it cannot map is an SG10xx diagnostic here, so the emitters never fail. Knows nothing about Roslyn.
/// </summary>
internal sealed class ContractPlanner
{
    /// <summary>Members of the generated contract class; anonymous enumerators become constants beside them.</summary>
    private static readonly string[] ContractMembers = { "Name", "Hash", "HashHex", "Descriptor", "EcallIds", "OcallIds" };

    private readonly EdlContract _contract;
    private readonly string _ns;
    private readonly string _prefix;
    private readonly List<EdlDiagnostic> _diagnostics = new List<EdlDiagnostic>();
    private readonly Dictionary<string, EdlStruct> _structs = new Dictionary<string, EdlStruct>(System.StringComparer.Ordinal);
    private readonly Dictionary<string, EdlEnum> _enums = new Dictionary<string, EdlEnum>(System.StringComparer.Ordinal);

    private ContractPlanner(EdlContract contract, string ns)
    {
        _contract = contract;
        _ns = Naming.EscapeNamespace(ns);
        _prefix = Naming.Pascal(contract.Name);
    }

    /// <summary>Plans <paramref name="contract"/>; the plan is null when any diagnostic is an error.</summary>
    public static ContractPlan? Plan(EdlContract contract, string ns, out IReadOnlyList<EdlDiagnostic> diagnostics)
    {
        var planner = new ContractPlanner(contract, ns);
        ContractPlan? plan = planner.Run();
        diagnostics = planner._diagnostics;
        return plan;
    }

    private ContractPlan? Run()
    {
        if (!Naming.IsValidNamespace(_ns))
        {
            Error(DiagnosticIds.InvalidNamespace, "'" + _ns + "' is not a valid C# namespace for the code generated from '" + _contract.Name + "'.", new SourceLocation(_contract.FilePath, 1, 1));
            return null;
        }

        List<StructPlan> structs = PlanTypes();
        List<FunctionPlan> ecalls = PlanFunctions(_contract.Trusted);
        List<FunctionPlan> ocalls = PlanFunctions(_contract.Untrusted);
        CheckMemberNames(ecalls);
        CheckMemberNames(ocalls);
        foreach (EdlDiagnostic d in _diagnostics)
        {
            if (d.Severity == EdlSeverity.Error)
            {
                return null;
            }
        }

        var foreign = new List<KeyValuePair<string, int>>();
        foreach (KeyValuePair<string, int> f in _contract.ForeignTypeSizes)
        {
            if (ForeignSize(f.Key) > 0)
            {
                foreign.Add(f);
            }
        }

        foreign.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return new ContractPlan(_contract, _ns, ecalls, ocalls, structs, foreign);
    }

    private void Error(string id, string message, SourceLocation location) =>
        _diagnostics.Add(new EdlDiagnostic(id, EdlSeverity.Error, message, location));

    private string ContractClass => _prefix + "Contract";

    private string Q(string typeName) => "global::" + _ns + "." + typeName;

    private List<StructPlan> PlanTypes()
    {
        var typeNames = new Dictionary<string, string>(System.StringComparer.Ordinal);
        foreach (string generated in ContractPlan.GeneratedTypes(_prefix))
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

        var plans = new List<StructPlan>();
        foreach (EdlStruct s in _contract.Structs)
        {
            var fields = new Dictionary<string, string>(System.StringComparer.Ordinal);
            var members = new List<MemberPlan>();
            string typeName = Naming.Pascal(s.Name);
            foreach (EdlMember m in s.Members)
            {
                string field = Naming.Pascal(m.Name);
                if (field == typeName || fields.ContainsKey(field) || fields.ContainsKey(field + "Array"))
                {
                    Error(DiagnosticIds.NameCollision, "Member '" + m.Name + "' of '" + s.Name + "' maps to the C# name '" + field + "', which is already taken.", m.Location);
                }

                fields[field] = m.Name;
                if (m.Dimensions.Count > 0)
                {
                    fields[field + "Array"] = m.Name;
                }

                // Pointers inside structs are raw addresses (nint): they are copied, never followed.
                CsType? type = m.Type.IsPointer ? CsType.NInt : m.Dimensions.Count > 0 ? Pointee(m.Type) : Scalar(m.Type);
                if (type == null)
                {
                    Error(DiagnosticIds.Unsupported, "Member '" + m.Name + "' of '" + s.Name + "' has a type with no C# mapping (" + Describe(m.Type) + ").", m.Location);
                    continue;
                }

                members.Add(new MemberPlan(m, type));
            }

            plans.Add(new StructPlan(s, members));
        }

        return plans;
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
        string name = t.Name ?? string.Empty;
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
                name = (t.TagKind == EdlTagKind.None ? string.Empty : t.TagKind.ToString().ToLowerInvariant() + " ") + t.Name;
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

    private List<FunctionPlan> PlanFunctions(IEnumerable<EdlFunction> functions)
    {
        var plans = new List<FunctionPlan>();
        foreach (EdlFunction f in functions)
        {
            if (PlanFunction(f) is FunctionPlan plan)
            {
                plans.Add(plan);
            }
        }

        return plans;
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

            // Generated locals start with "__"; switchless functions get a cancellationToken parameter.
            if (!names.Add(plan.Local) || plan.Local.StartsWith("__", System.StringComparison.Ordinal) ||
                (f.Switchless && plan.Local == "cancellationToken"))
            {
                Error(DiagnosticIds.NameCollision, "Parameter '" + p.Name + "' of " + kind + " '" + f.Name + "' maps to the C# name '" + plan.CsName + "', which is already taken.", p.Location);
                ok = false;
            }

            parameters.Add(plan);
        }

        if (!ok || !ResolveSizes(f, parameters))
        {
            return null;
        }

        return new FunctionPlan(f, Naming.Pascal(f.Name), ret, parameters);
    }

    /// <summary>Chooses the parameter's kind (and so its C# type and wire form) once; null after an SG10xx error.</summary>
    private ParamPlan? PlanParameter(EdlFunction f, EdlParameter p)
    {
        EdlAttributes a = p.Attributes;
        string csName = Naming.Camel(p.Name);
        string where = "Parameter '" + p.Name + "' of '" + f.Name + "'";
        bool isArray = p.Dimensions.Count > 0;

        if (a.UserCheck)
        {
            return new UserCheckParam(p, csName);
        }

        if (a.IsPtr || a.IsAry)
        {
            Error(DiagnosticIds.Unsupported, where + " uses " + (a.IsPtr ? "isptr" : "isary") + "; the C# generator does not map foreign pointer and array typedefs yet (pass it as [user_check] or spell out the pointer).", p.Location);
            return null;
        }

        if (!p.Type.IsPointer && !isArray)
        {
            return PlanValue(p, csName, where);
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

            return new StringParam(p, csName);
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

            return new BufferParam(p, csName, element, elements);
        }

        if (a.Size != null || a.Count != null)
        {
            return new BufferParam(p, csName, element, fixedElements: 0);
        }

        if (p.Type.Base == EdlBaseType.Void && !ofPointers)
        {
            Error(DiagnosticIds.Unsupported, where + " is a void pointer with no size or count.", p.Location);
            return null;
        }

        return new PointerParam(p, csName, element);
    }

    private ValueParam? PlanValue(EdlParameter p, string csName, string where)
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

        return new ValueParam(p, csName, value);
    }

    private bool IsDeepCopy(EdlType t) =>
        t.Name != null && _structs.TryGetValue(t.Name, out EdlStruct? s) && s.IsDeepCopy;

    /// <summary>
    /// Resolves every buffer's <c>size</c>/<c>count</c> to a literal or a by-value parameter, then folds a size
    /// parameter into its span when the span is its only user and it is the span's only length.
    /// </summary>
    private bool ResolveSizes(EdlFunction f, List<ParamPlan> parameters)
    {
        bool ok = true;
        var uses = new Dictionary<ValueParam, int>();
        foreach (ParamPlan p in parameters)
        {
            if (p is BufferParam buffer)
            {
                buffer.Size = Resolve(f, buffer, buffer.Edl.Attributes.Size, parameters, uses, ref ok);
                buffer.Count = Resolve(f, buffer, buffer.Edl.Attributes.Count, parameters, uses, ref ok);
            }
        }

        if (!ok)
        {
            return false;
        }

        foreach (ParamPlan p in parameters)
        {
            if (p is not BufferParam buffer || buffer.FixedElements != 0 || (buffer.Size == null) == (buffer.Count == null))
            {
                continue;
            }

            ValueParam? target = (buffer.Size ?? buffer.Count)?.Parameter;

            // Enum and bool sizes (accepted by the EDL compiler with a warning) stay explicit parameters.
            if (target == null || uses[target] != 1 || !target.Type.IsInteger)
            {
                continue;
            }

            target.FoldedInto = buffer;
            buffer.FoldedSize = target;
            buffer.FoldedIsCount = buffer.Count != null;
        }

        return true;
    }

    private SizeOperand? Resolve(EdlFunction f, BufferParam buffer, EdlSizeExpr? e, List<ParamPlan> parameters, Dictionary<ValueParam, int> uses, ref bool ok)
    {
        if (e == null)
        {
            return null;
        }

        if (e.Reference == null)
        {
            if (e.Literal is long literal && literal >= 0)
            {
                return SizeOperand.Of(literal);
            }

            Error(DiagnosticIds.BadSizeReference, "The size or count of '" + buffer.Name + "' in '" + f.Name + "' is neither a non-negative number nor a parameter.", buffer.Edl.Location);
            ok = false;
            return null;
        }

        ParamPlan? target = parameters.Find(x => x.Name == e.Reference);
        if (target is not ValueParam value || value.Kind != ParamKind.Value || !value.Type.CanBeSize)
        {
            Error(DiagnosticIds.BadSizeReference, "The size or count of '" + buffer.Name + "' in '" + f.Name + "' refers to '" + e.Reference + "', which is not an integer, enum or bool parameter passed by value.", buffer.Edl.Location);
            ok = false;
            return null;
        }

        uses.TryGetValue(value, out int n);
        uses[value] = n + 1;
        return SizeOperand.Of(value);
    }

    private void CheckMemberNames(List<FunctionPlan> functions)
    {
        var taken = new Dictionary<string, string>(System.StringComparer.Ordinal);
        foreach (string reserved in new[] { "Equals", "GetHashCode", "ToString", "GetType", "MemberwiseClone", "Finalize", "Dispatch", "Contract", "EcallInterface", "Create", "Channel", _prefix + "Proxy", _prefix + "OcallProxy", _prefix + "OcallHandler", _prefix + "EcallDispatcher" })
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

            ClaimMember(taken, f.CsName, f);
            if (f.HasAsync)
            {
                ClaimMember(taken, f.CsName + "Async", f);
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

    private void ClaimMember(Dictionary<string, string> taken, string name, FunctionPlan f)
    {
        if (taken.TryGetValue(name, out string? other))
        {
            Error(DiagnosticIds.NameCollision, f.Kind + " '" + f.Edl.Name + "' maps to the C# method name '" + name + "', already used by " + other + ".", f.Edl.Location);
            return;
        }

        taken[name] = f.Kind + " '" + f.Edl.Name + "'";
    }
}
