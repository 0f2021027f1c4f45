using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using SecGear.Edl.Model;
using SecGear.Edl.Semantics;

namespace SecGear.Edl;

/// <summary>
/// The canonical text of a contract: everything that decides the wire (functions with ids, types, attributes,
/// allow lists, structs, enums with values, includes) and nothing that does not (file paths, locations, comments,
/// whitespace, calling conventions). Host and enclave hash it with SHA-256 to get the contract hash.
/// </summary>
public static class EdlCanonicalForm
{
    /// <summary>The first line of every canonical form; changes whenever the format changes.</summary>
    public const string Header = "secgear-edl-canonical 1";

    /// <summary>Returns the canonical form of <paramref name="contract"/> (LF line endings, ASCII, deterministic).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="contract"/> is null.</exception>
    public static string Of(EdlContract contract)
    {
        if (contract == null)
        {
            throw new ArgumentNullException(nameof(contract));
        }

        var sb = new StringBuilder();
        sb.Append(Header).Append('\n');
        foreach (EdlInclude inc in contract.IncludeDirectives)
        {
            sb.Append("include ").Append(inc.Side.ToString().ToLowerInvariant()).Append(" \"").Append(inc.Header).Append("\"\n");
        }

        foreach (EdlEnum e in contract.Enums)
        {
            sb.Append("enum ").Append(e.Name ?? "<anonymous>").Append(" {");
            AppendJoined(sb, e.Members, (b, m) => b.Append(' ').Append(m.Name).Append('=').Append(m.ForeignValue ?? m.Value.ToString(CultureInfo.InvariantCulture)));
            sb.Append(" }\n");
        }

        foreach (EdlStruct s in contract.Structs)
        {
            sb.Append(s.IsUnion ? "union " : "struct ").Append(s.Name).Append(" {");
            foreach (EdlMember m in s.Members)
            {
                sb.Append(' ');
                AppendDeclaration(sb, m.Attributes, m.Type, m.Name, m.Dimensions);
                sb.Append(';');
            }

            sb.Append(" }\n");
        }

        foreach (EdlFunction f in contract.Trusted)
        {
            AppendFunction(sb, f);
        }

        foreach (EdlFunction f in contract.Untrusted)
        {
            AppendFunction(sb, f);
        }

        foreach (KeyValuePair<string, int> foreign in SortedForeign(contract.ForeignTypeSizes))
        {
            sb.Append("foreign ").Append(foreign.Key).Append(' ').Append(foreign.Value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        return sb.ToString();
    }

    private static void AppendFunction(StringBuilder sb, EdlFunction f)
    {
        sb.Append(f.IsTrusted ? "trusted " : "untrusted ").Append(f.Id.ToString(CultureInfo.InvariantCulture)).Append(' ');
        if (f.IsTrusted)
        {
            sb.Append(f.IsPublic ? "public " : "private ");
        }

        sb.Append(TypeSpelling.Of(f.ReturnType)).Append(' ').Append(f.Name).Append('(');
        bool first = true;
        foreach (EdlParameter p in f.Parameters)
        {
            if (!first)
            {
                sb.Append(", ");
            }

            first = false;
            AppendDeclaration(sb, p.Attributes, p.Type, p.Name, p.Dimensions);
        }

        sb.Append(')');
        if (f.Allow.Count > 0)
        {
            sb.Append(" allow(").Append(string.Join(",", f.Allow)).Append(')');
        }

        if (f.PropagateErrno)
        {
            sb.Append(" propagate_errno");
        }

        if (f.Switchless)
        {
            sb.Append(" transition_using_threads");
        }

        sb.Append('\n');
    }

    private static void AppendDeclaration(StringBuilder sb, EdlAttributes a, EdlType type, string name, IReadOnlyList<int> dimensions)
    {
        var attrs = new List<string>();
        AddFlag(attrs, a.In, "in");
        AddFlag(attrs, a.Out, "out");
        AddFlag(attrs, a.UserCheck, "user_check");
        AddFlag(attrs, a.String, "string");
        AddFlag(attrs, a.WString, "wstring");
        AddFlag(attrs, a.IsPtr, "isptr");
        AddFlag(attrs, a.IsAry, "isary");
        AddFlag(attrs, a.ReadOnly, "readonly");
        AddSize(attrs, a.Size, "size");
        AddSize(attrs, a.Count, "count");
        if (attrs.Count > 0)
        {
            sb.Append('[').Append(string.Join(",", attrs)).Append("] ");
        }

        sb.Append(TypeSpelling.Of(type)).Append(' ').Append(name);
        foreach (int d in dimensions)
        {
            sb.Append('[').Append(d.ToString(CultureInfo.InvariantCulture)).Append(']');
        }
    }

    private static void AddFlag(List<string> attrs, bool on, string name)
    {
        if (on)
        {
            attrs.Add(name);
        }
    }

    private static void AddSize(List<string> attrs, EdlSizeExpr? expr, string name)
    {
        if (expr != null)
        {
            attrs.Add(name + "=" + (expr.Reference ?? expr.Literal?.ToString(CultureInfo.InvariantCulture)));
        }
    }

    private static void AppendJoined<T>(StringBuilder sb, IReadOnlyList<T> items, Action<StringBuilder, T> append)
    {
        for (int i = 0; i < items.Count; i++)
        {
            append(sb, items[i]);
            if (i + 1 < items.Count)
            {
                sb.Append(',');
            }
        }
    }

    private static List<KeyValuePair<string, int>> SortedForeign(IReadOnlyDictionary<string, int> sizes)
    {
        var list = new List<KeyValuePair<string, int>>(sizes);
        list.Sort((x, y) => string.CompareOrdinal(x.Key, y.Key));
        return list;
    }
}
