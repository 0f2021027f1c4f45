using System.Text;

namespace SecGear.Generator;

/// <summary>EDL (C) names to C# names.</summary>
internal static class Naming
{
    private static readonly string[] Keywords =
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
        "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
        "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override",
        "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short",
        "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof",
        "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
    };

    /// <summary><c>ecall_get_greeting</c> → <c>EcallGetGreeting</c>; <c>my-file</c> → <c>MyFile</c>.</summary>
    public static string Pascal(string name)
    {
        var sb = new StringBuilder(name.Length);
        bool upper = true;
        foreach (char c in name)
        {
            if (c == '_' || c == '-' || c == '.' || c == ' ')
            {
                upper = true;
                continue;
            }

            if (!IsIdentifierChar(c))
            {
                continue;
            }

            sb.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        if (sb.Length == 0 || char.IsDigit(sb[0]))
        {
            sb.Insert(0, 'E');
        }

        return sb.ToString();
    }

    /// <summary><c>buf_len</c> → <c>bufLen</c>, escaped with <c>@</c> when it is a keyword.</summary>
    public static string Camel(string name)
    {
        string pascal = Pascal(name);
        string camel = char.ToLowerInvariant(pascal[0]) + pascal.Substring(1);
        return Escape(camel);
    }

    /// <summary>Prefixes C# keywords with <c>@</c>.</summary>
    public static string Escape(string identifier) =>
        System.Array.IndexOf(Keywords, identifier) >= 0 ? "@" + identifier : identifier;

    /// <summary>
    /// A namespace as C# source must spell it: parts that are keywords get <c>@</c> (<c>event</c> →
    /// <c>@event</c>), parts starting with a digit get <c>_</c>, characters C# identifiers cannot hold become
    /// <c>_</c>. Empty parts stay empty, so <see cref="IsValidNamespace"/> still refuses them.
    /// </summary>
    public static string EscapeNamespace(string value)
    {
        string[] parts = value.Split('.');
        for (int i = 0; i < parts.Length; i++)
        {
            string part = parts[i];
            if (part.Length == 0)
            {
                continue;
            }

            var sb = new StringBuilder(part.Length + 1);
            foreach (char c in part)
            {
                sb.Append(IsIdentifierChar(c) ? c : '_');
            }

            if (char.IsDigit(sb[0]))
            {
                sb.Insert(0, '_');
            }

            parts[i] = Escape(sb.ToString());
        }

        return string.Join(".", parts);
    }

    /// <summary>True for a dotted C# namespace made of plain (or <c>@</c>-escaped keyword) identifiers.</summary>
    public static bool IsValidNamespace(string value)
    {
        if (value.Length == 0)
        {
            return false;
        }

        foreach (string raw in value.Split('.'))
        {
            string part = raw.Length > 1 && raw[0] == '@' && System.Array.IndexOf(Keywords, raw.Substring(1)) >= 0 ? raw.Substring(1) : raw;
            if (part.Length == 0 || char.IsDigit(part[0]) || (part == raw && System.Array.IndexOf(Keywords, part) >= 0))
            {
                return false;
            }

            foreach (char c in part)
            {
                if (!IsIdentifierChar(c))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Escapes text for a C# regular string literal.</summary>
    public static string Literal(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        sb.Append('"');
        foreach (char c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < ' ')
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
        return sb.ToString();
    }

    /// <summary>Escapes text for an XML doc comment.</summary>
    public static string Xml(string value) => value.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private static bool IsIdentifierChar(char c) => c == '_' || char.IsLetterOrDigit(c);
}
