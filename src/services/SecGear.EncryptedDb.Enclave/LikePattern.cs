using System.Text;
using System.Text.RegularExpressions;

namespace SecGear.EncryptedDb.Enclave;

/// <summary>
/// A PostgreSQL LIKE pattern: <c>%</c> any run, <c>_</c> one character, backslash escapes the next character;
/// case-sensitive; the whole value must match. Compiled once per query to a .NET regular expression built only from
/// escaped literals, <c>.</c> and <c>.*</c>, with a match timeout so no pattern can hang the enclave.
/// </summary>
internal sealed class LikePattern
{
    private readonly Regex _regex;

    public LikePattern(string pattern)
    {
        var builder = new StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            if (c == '\\')
            {
                if (i + 1 == pattern.Length)
                {
                    throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, "a LIKE pattern must not end with the escape character");
                }

                builder.Append(Regex.Escape(pattern[++i].ToString()));
            }
            else if (c == '%')
            {
                builder.Append(".*");
            }
            else if (c == '_')
            {
                builder.Append('.');
            }
            else
            {
                builder.Append(Regex.Escape(c.ToString()));
            }
        }

        builder.Append("\\z");
        _regex = new Regex(builder.ToString(), RegexOptions.Singleline | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, TimeSpan.FromSeconds(1));
    }

    public bool IsMatch(string value) => _regex.IsMatch(value);
}
