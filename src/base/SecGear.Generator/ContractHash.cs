using System.Collections.Generic;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SecGear.Edl.Model;

namespace SecGear.Generator
{
    /// <summary>
    /// The contract hash: SHA-256 over a canonical text of everything that shapes the wire (types, functions in id order,
    /// attributes, allow lists). Whitespace, comments and file layout do not change it.
    /// </summary>
    internal static class ContractHash
    {
        public static byte[] Compute(EdlContract contract)
        {
            using (SHA256 sha = SHA256.Create())
            {
                return sha.ComputeHash(Encoding.UTF8.GetBytes(CanonicalText(contract)));
            }
        }

        public static string CanonicalText(EdlContract c)
        {
            var sb = new StringBuilder();
            sb.Append("secgear-edl-canonical 1\n");
            sb.Append("contract ").Append(c.Name).Append('\n');
            foreach (EdlEnum e in c.Enums)
            {
                sb.Append("enum ").Append(e.Name ?? "<anonymous>").Append(" {");
                foreach (EdlEnumerator m in e.Members)
                {
                    sb.Append(' ').Append(m.Name).Append('=').Append(m.Value.ToString(CultureInfo.InvariantCulture)).Append(';');
                }

                sb.Append(" }\n");
            }

            foreach (EdlStruct s in c.Structs)
            {
                sb.Append(s.IsUnion ? "union " : "struct ").Append(s.Name).Append(" {");
                foreach (EdlMember m in s.Members)
                {
                    sb.Append(' ');
                    Declaration(sb, m.Type, m.Name, m.Attributes, m.Dimensions);
                    sb.Append(';');
                }

                sb.Append(" }\n");
            }

            foreach (EdlFunction f in c.Trusted)
            {
                Function(sb, "trusted", f);
            }

            foreach (EdlFunction f in c.Untrusted)
            {
                Function(sb, "untrusted", f);
            }

            return sb.ToString();
        }

        private static void Function(StringBuilder sb, string kind, EdlFunction f)
        {
            sb.Append(kind).Append(' ').Append(f.Id.ToString(CultureInfo.InvariantCulture)).Append(' ');
            if (f.IsPublic && f.IsTrusted)
            {
                sb.Append("public ");
            }

            Type(sb, f.ReturnType);
            sb.Append(' ').Append(f.Name).Append('(');
            for (int i = 0; i < f.Parameters.Count; i++)
            {
                if (i > 0)
                {
                    sb.Append(", ");
                }

                EdlParameter p = f.Parameters[i];
                Declaration(sb, p.Type, p.Name, p.Attributes, p.Dimensions);
            }

            sb.Append(')');
            if (f.Allow.Count > 0)
            {
                var allow = new List<string>(f.Allow);
                allow.Sort(System.StringComparer.Ordinal);
                sb.Append(" allow(").Append(string.Join(",", allow)).Append(')');
            }

            if (f.Switchless)
            {
                sb.Append(" transition_using_threads");
            }

            if (f.PropagateErrno)
            {
                sb.Append(" propagate_errno");
            }

            sb.Append('\n');
        }

        private static void Declaration(StringBuilder sb, EdlType type, string name, EdlAttributes a, IReadOnlyList<int> dims)
        {
            var attrs = new List<string>();
            if (a.In)
            {
                attrs.Add("in");
            }

            if (a.Out)
            {
                attrs.Add("out");
            }

            if (a.UserCheck)
            {
                attrs.Add("user_check");
            }

            if (a.String)
            {
                attrs.Add("string");
            }

            if (a.WString)
            {
                attrs.Add("wstring");
            }

            if (a.IsPtr)
            {
                attrs.Add("isptr");
            }

            if (a.IsAry)
            {
                attrs.Add("isary");
            }

            if (a.ReadOnly)
            {
                attrs.Add("readonly");
            }

            if (a.Size != null)
            {
                attrs.Add("size=" + Size(a.Size));
            }

            if (a.Count != null)
            {
                attrs.Add("count=" + Size(a.Count));
            }

            if (attrs.Count > 0)
            {
                sb.Append('[').Append(string.Join(",", attrs)).Append("] ");
            }

            Type(sb, type);
            sb.Append(' ').Append(name);
            foreach (int d in dims)
            {
                sb.Append('[').Append(d.ToString(CultureInfo.InvariantCulture)).Append(']');
            }
        }

        private static string Size(EdlSizeExpr e) =>
            e.Reference ?? (e.Literal ?? 0).ToString(CultureInfo.InvariantCulture);

        private static void Type(StringBuilder sb, EdlType t)
        {
            if (t.IsConst)
            {
                sb.Append("const ");
            }

            if (t.Base == EdlBaseType.Named)
            {
                if (t.TagKind != EdlTagKind.None)
                {
                    sb.Append(t.TagKind.ToString().ToLowerInvariant()).Append(' ');
                }

                sb.Append(t.Name);
            }
            else
            {
                sb.Append(t.Base.ToString());
            }

            sb.Append('*', t.PointerDepth);
        }
    }
}
