using System.Collections.Generic;
using SecGear.Edl.Diagnostics;
using SecGear.Edl.Model;
using SecGear.Edl.Syntax;

namespace SecGear.Edl.Semantics;

/// <summary>Functions, parameters and allow lists (rules 1-35, 41-44, 49-50).</summary>
internal sealed partial class Checker
{
    private void CheckFunctions(List<EdlFunction> trusted, List<EdlFunction> untrusted)
    {
        var byName = new Dictionary<string, FunctionSyntax>(System.StringComparer.Ordinal);
        foreach (FunctionSyntax f in _unit.Functions)
        {
            if (byName.TryGetValue(f.Name, out FunctionSyntax? first))
            {
                EdlDiagnosticDescriptor descriptor = first.Location.File == f.Location.File
                    ? EdlDiagnosticDescriptors.DuplicateFunction
                    : EdlDiagnosticDescriptors.FunctionRedefinedByImport;
                _diagnostics.Report(descriptor, f.Location, f.Name, first.Location);
                continue;
            }

            byName.Add(f.Name, f);
            CheckReturnType(f);
            var parameterNames = new HashSet<string>(System.StringComparer.Ordinal);
            var parameters = new List<EdlParameter>(f.Parameters.Count);
            foreach (DeclarationSyntax p in f.Parameters)
            {
                if (!parameterNames.Add(p.Name))
                {
                    _diagnostics.Report(EdlDiagnosticDescriptors.DuplicateParameter, p.Location, f.Name, p.Name);
                }

                CheckParameter(f, p);
                parameters.Add(new EdlParameter(p.Name, p.Type, p.Attributes, ResolveDimensions(p.Name, p.Dimensions), p.Location));
            }

            var allow = new List<string>();
            var allowSeen = new HashSet<string>(System.StringComparer.Ordinal);
            foreach (Token name in f.Allow)
            {
                if (allowSeen.Add(name.Text))
                {
                    allow.Add(name.Text);
                }
            }

            List<EdlFunction> list = f.IsTrusted ? trusted : untrusted;
            list.Add(new EdlFunction
            {
                Name = f.Name,
                IsTrusted = f.IsTrusted,
                Id = list.Count,
                ReturnType = f.ReturnType,
                Parameters = parameters,
                IsPublic = f.IsPublic,
                Switchless = f.Switchless,
                PropagateErrno = f.PropagateErrno,
                Allow = allow,
                CallingConvention = f.CallingConvention,
                DllImport = f.DllImport,
                Location = f.Location,
            });
        }
    }

    private void CheckReturnType(FunctionSyntax f)
    {
        EdlType t = f.ReturnType;
        CheckTag(t, f.Location);
        if (IsNonPortable(t.Base))
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.NonPortableType, f.Location, f.Name, TypeSpelling.Of(t));
        }

        if (t.IsPointer)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.ReturnsPointer, f.Location, f.Name);
            return;
        }

        NamedKind kind = _types.Classify(t);
        if (kind == NamedKind.Foreign && !HasForeignSize(t.Name))
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.ForeignWithoutSize, f.Location, f.Name, TypeSpelling.BaseName(t), "as its return type");
        }
        else if (kind == NamedKind.Struct || kind == NamedKind.Union)
        {
            CheckStructByValue(f.Name, t, f.Location);
        }
    }

    private void CheckStructByValue(string name, EdlType t, SourceLocation location)
    {
        StructSyntax? s = _types.FindStruct(t.Name);
        if (s == null)
        {
            return;
        }

        if (IsDeepCopy(s))
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.DeepCopyByValue, location, name, s.Name);
        }
        else if (t.TagKind == EdlTagKind.None)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.TypedefSpelling, location, name, s.Keyword, s.Name);
        }
    }

    private void CheckParameter(FunctionSyntax f, DeclarationSyntax p)
    {
        if (_options.Dialect == EdlDialect.OpenEnclave && p.IsArray && !p.Attributes.In && !p.Attributes.Out && !p.Attributes.UserCheck)
        {
            // oeedger8r copies a directionless array in; say so, and do the same.
            _diagnostics.Report(EdlDiagnosticDescriptors.ArrayWithoutDirectionOe, p.Location, p.Name);
            p.Attributes = p.Attributes with { In = true };
        }

        string n = p.Name;
        EdlAttributes a = p.Attributes;
        EdlType t = p.Type;
        SourceLocation at = p.Location;
        CheckTag(t, at);
        if (t.Base == EdlBaseType.Void && !t.IsPointer)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.VoidParameter, at, n);
            return;
        }

        if (IsNonPortable(t.Base) && !(a.WString && t.Base == EdlBaseType.WCharT))
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.NonPortableType, at, n, TypeSpelling.Of(t));
        }

        if (t.IsPointer && p.IsArray)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.PointerArray, at, n);
            return;
        }

        NamedKind kind = _types.Classify(t);
        if ((a.IsPtr || a.IsAry || a.ReadOnly) && !CheckIsPtrIsAry(p, kind))
        {
            return;
        }

        bool pointerLike = t.IsPointer || p.IsArray || a.IsPtr || a.IsAry;
        if (!pointerLike)
        {
            if (a.Any)
            {
                _diagnostics.Report(EdlDiagnosticDescriptors.AttributeOnNonPointer, at, n);
                return;
            }

            if (kind == NamedKind.Foreign && !HasForeignSize(t.Name))
            {
                _diagnostics.Report(EdlDiagnosticDescriptors.ForeignWithoutSize, at, n, TypeSpelling.BaseName(t), "by value");
            }
            else if (kind == NamedKind.Struct || kind == NamedKind.Union)
            {
                CheckStructByValue(n, t, at);
            }

            return;
        }

        string? buffer = a.Size != null ? "size" : a.Count != null ? "count" : a.String ? "string" : a.WString ? "wstring" : null;
        if (!a.In && !a.Out && !a.UserCheck)
        {
            if (buffer != null)
            {
                _diagnostics.Report(EdlDiagnosticDescriptors.SizeWithoutDirection, at, n, buffer);
            }
            else
            {
                _diagnostics.Report(EdlDiagnosticDescriptors.PointerWithoutDirection, at, "parameter", n);
            }

            return;
        }

        if (a.UserCheck)
        {
            if (a.In || a.Out)
            {
                _diagnostics.Report(EdlDiagnosticDescriptors.DirectionWithUserCheck, at, n);
            }
            else if (buffer != null)
            {
                _diagnostics.Report(EdlDiagnosticDescriptors.SizeWithoutDirection, at, n, buffer);
            }

            return;
        }

        CheckDirectedPointer(f, p, kind);
    }

    /// <summary>Rules for a pointer or array with <c>in</c> and/or <c>out</c>.</summary>
    private void CheckDirectedPointer(FunctionSyntax f, DeclarationSyntax p, NamedKind kind)
    {
        string n = p.Name;
        EdlAttributes a = p.Attributes;
        EdlType t = p.Type;
        SourceLocation at = p.Location;
        if (a.String || a.WString)
        {
            if (a.String && a.WString)
            {
                _diagnostics.Report(EdlDiagnosticDescriptors.StringConflict, at, n, "'string' and 'wstring'");
                return;
            }

            string word = a.String ? "string" : "wstring";
            if (a.Size != null || a.Count != null)
            {
                _diagnostics.Report(EdlDiagnosticDescriptors.StringConflict, at, n, "'" + word + "' with '" + (a.Size != null ? "size" : "count") + "'");
                return;
            }

            if (a.Out && !a.In)
            {
                _diagnostics.Report(EdlDiagnosticDescriptors.StringOutOnly, at, n, word);
                return;
            }

            bool charPointer = !p.IsArray && t.PointerDepth == 1 && (t.Base == EdlBaseType.Char || t.Base == EdlBaseType.UnsignedChar);
            bool wcharPointer = !p.IsArray && t.PointerDepth == 1 && t.Base == EdlBaseType.WCharT;
            if (a.String && !charPointer)
            {
                _diagnostics.Report(EdlDiagnosticDescriptors.StringWrongType, at, n, "'string' needs a 'char*' or 'unsigned char*' parameter, not '" + TypeSpelling.Of(t) + "'");
                return;
            }

            if (a.WString && !wcharPointer)
            {
                _diagnostics.Report(EdlDiagnosticDescriptors.StringWrongType, at, n, "'wstring' needs a 'wchar_t*' parameter, not '" + TypeSpelling.Of(t) + "'");
                return;
            }
        }

        if (p.IsArray && (a.Size != null || a.Count != null))
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.SizeOnArray, at, n, a.Size != null ? "size" : "count");
            return;
        }

        if (t.IsPointer && t.IsConst && a.Out)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.ConstOut, at, n);
            return;
        }

        if (t.PointerDepth > 1)
        {
            // Intel's own sgx_tstdc.edl passes '[in, count=total] const void** waiters': the elements are
            // addresses, copied as plain values.
            _diagnostics.Report(EdlDiagnosticDescriptors.MultiLevelPointer, at, n);
            CheckSizeReferences(p, f.Parameters, f.Name, isMember: false);
            return;
        }

        if (t.Base == EdlBaseType.Void && t.PointerDepth == 1 && a.Size == null)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.VoidPointerWithoutSize, at, n);
            return;
        }

        CheckSizeReferences(p, f.Parameters, f.Name, isMember: false);
        if (a.IsPtr)
        {
            if (a.Size == null && !HasForeignSize(t.Name))
            {
                _diagnostics.Report(EdlDiagnosticDescriptors.ForeignWithoutSize, at, n, TypeSpelling.BaseName(t), "through 'isptr' without 'size'");
            }

            return;
        }

        if (a.IsAry)
        {
            if (!HasForeignSize(t.Name))
            {
                _diagnostics.Report(EdlDiagnosticDescriptors.ForeignWithoutSize, at, n, TypeSpelling.BaseName(t), "through 'isary'");
            }

            return;
        }

        CheckPointee(p, kind);
    }

    private void CheckPointee(DeclarationSyntax p, NamedKind kind)
    {
        string n = p.Name;
        EdlAttributes a = p.Attributes;
        EdlType t = p.Type;
        SourceLocation at = p.Location;
        if (kind == NamedKind.Foreign)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.ForeignPointer, at, n, TypeSpelling.BaseName(t));
            if (a.Size == null && !HasForeignSize(t.Name))
            {
                _diagnostics.Report(EdlDiagnosticDescriptors.ForeignWithoutSize, at, n, TypeSpelling.BaseName(t), "behind an 'in'/'out' pointer without 'size'");
            }

            return;
        }

        if (kind != NamedKind.Struct && kind != NamedKind.Union)
        {
            return;
        }

        StructSyntax? s = _types.FindStruct(t.Name);
        if (s == null)
        {
            return;
        }

        if (!IsDeepCopy(s))
        {
            if (t.TagKind == EdlTagKind.None)
            {
                _diagnostics.Report(EdlDiagnosticDescriptors.TypedefSpelling, at, n, s.Keyword, s.Name);
            }

            return;
        }

        if (t.TagKind == EdlTagKind.None)
        {
            _diagnostics.Report(_options.Dialect == EdlDialect.OpenEnclave ? EdlDiagnosticDescriptors.DeepCopyTypedefOe : EdlDiagnosticDescriptors.DeepCopyTypedef, at, n, s.Name);
        }

        if (t.TagKind == EdlTagKind.None && _options.Dialect != EdlDialect.OpenEnclave)
        {
            return;
        }

        if (a.Out && !a.In)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.DeepCopyOutOnly, at, n, s.Name);
        }
        else if (a.Size != null)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.SizeOnDeepCopy, at, n, s.Name);
        }
    }

    private static string DimensionsText(DeclarationSyntax p)
    {
        var text = new System.Text.StringBuilder();
        foreach (DimensionSyntax d in p.Dimensions)
        {
            text.Append("[").Append(d.Name ?? d.Literal?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?").Append("]");
        }

        return text.ToString();
    }

    /// <summary>Rules 15-17: <c>isptr</c>, <c>isary</c> and <c>readonly</c>. Returns false when an error was reported.</summary>
    private bool CheckIsPtrIsAry(DeclarationSyntax p, NamedKind kind)
    {
        string n = p.Name;
        EdlAttributes a = p.Attributes;
        EdlType t = p.Type;
        SourceLocation at = p.Location;
        bool bareForeign = kind == NamedKind.Foreign && t.PointerDepth == 0 && !p.IsArray && t.TagKind == EdlTagKind.None;
        if (a.IsPtr && a.IsAry)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.IsPtrIsAryMisuse, at, n, "'isptr' and 'isary' cannot be combined");
            return false;
        }

        if (a.IsAry && p.IsArray)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.SizeOnArray, at, n, "isary");
            return false;
        }

        if (a.IsPtr && p.IsArray)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.IsPtrIsAryMisuse, at, n, "'" + n + "' is an array (" + TypeSpelling.Of(t) + DimensionsText(p) + "); 'isptr' applies only to a foreign typedef name written without '*'");
            return false;
        }

        if ((a.IsPtr || a.IsAry) && !bareForeign)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.IsPtrIsAryMisuse, at, n, "'" + (a.IsPtr ? "isptr" : "isary") + "' applies only to a foreign typedef name written without '*', not to '" + TypeSpelling.Of(t) + "'");
            return false;
        }

        if ((a.IsPtr || a.IsAry) && !a.In && !a.Out && !a.UserCheck)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.IsPtrIsAryMisuse, at, n, "'" + (a.IsPtr ? "isptr" : "isary") + "' needs a direction ('in', 'out') or 'user_check'");
            return false;
        }

        if (a.IsAry && (a.Size != null || a.Count != null))
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.SizeWithIsAry, at, n, a.Size != null ? "size" : "count");
            return false;
        }

        if (a.ReadOnly && !a.IsPtr)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.ReadOnlyMisuse, at, n, "'readonly' is allowed only together with 'isptr'");
            return false;
        }

        if (a.ReadOnly && a.Out)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.ReadOnlyMisuse, at, n, "'readonly' cannot be combined with 'out'");
            return false;
        }

        return true;
    }

    private void CheckAllowLists(List<EdlFunction> trusted, List<EdlFunction> untrusted)
    {
        // Cross-references need the whole file; after a syntax error they would only echo it.
        if (_partial)
        {
            return;
        }

        var ecalls = new Dictionary<string, EdlFunction>(System.StringComparer.Ordinal);
        foreach (EdlFunction e in trusted)
        {
            ecalls[e.Name] = e;
        }

        var ocalls = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (EdlFunction o in untrusted)
        {
            ocalls.Add(o.Name);
        }

        var allowed = new HashSet<string>(System.StringComparer.Ordinal);
        foreach (FunctionSyntax f in _unit.Functions)
        {
            if (f.IsTrusted)
            {
                continue;
            }

            var seen = new HashSet<string>(System.StringComparer.Ordinal);
            foreach (Token name in f.Allow)
            {
                if (!seen.Add(name.Text))
                {
                    _diagnostics.Report(EdlDiagnosticDescriptors.AllowDuplicate, name.Location, f.Name, name.Text);
                    continue;
                }

                if (ecalls.ContainsKey(name.Text))
                {
                    allowed.Add(name.Text);
                }
                else
                {
                    string why = ocalls.Contains(name.Text) ? "which is an OCALL, not an ECALL" : "which is not a defined ECALL";
                    _diagnostics.Report(EdlDiagnosticDescriptors.AllowNamesNonEcall, name.Location, f.Name, name.Text, why);
                }
            }
        }

        bool anyPublic = false;
        foreach (EdlFunction e in trusted)
        {
            anyPublic |= e.IsPublic;
            if (!e.IsPublic && !allowed.Contains(e.Name))
            {
                _diagnostics.Report(EdlDiagnosticDescriptors.PrivateEcallNotAllowed, e.Location, e.Name);
            }
        }

        if (!anyPublic && _options.RequirePublicEcall)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.NoPublicEcall, _unit.EnclaveLocation ?? new SourceLocation(_rootPath, 1, 1));
        }
    }
}
