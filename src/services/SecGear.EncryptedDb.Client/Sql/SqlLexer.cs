using System.Text;

namespace SecGear.EncryptedDb.Client.Sql;

/// <summary>
/// Splits SQL of the supported subset into tokens: unquoted identifiers (folded to lower case, as PostgreSQL does),
/// keywords, integer and decimal numbers, single-quoted strings ('' for a quote), <c>@name</c> parameters, and the
/// symbols <c>( ) , . * ; = &lt;&gt; != &lt; &lt;= &gt; &gt;=</c>. Comments and quoted identifiers are outside the subset.
/// </summary>
internal static class SqlLexer
{
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "BETWEEN", "IN", "LIKE", "IS", "NULL", "GROUP", "BY", "ORDER", "ASC", "DESC",
        "LIMIT", "AS", "JOIN", "INNER", "ON", "COUNT", "SUM", "AVG", "MIN", "MAX", "DATE", "INSERT", "INTO", "VALUES", "DISTINCT",
        "HAVING", "UNION", "UPDATE", "SET", "DELETE", "CREATE", "WITH", "OFFSET", "LEFT", "RIGHT", "FULL", "OUTER", "CROSS", "TRUE", "FALSE",
    };

    public static List<SqlToken> Tokenize(string sql)
    {
        var tokens = new List<SqlToken>();
        int i = 0;
        while (i < sql.Length)
        {
            char c = sql[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            int start = i;
            if (char.IsAsciiLetter(c) || c == '_')
            {
                while (i < sql.Length && (char.IsAsciiLetterOrDigit(sql[i]) || sql[i] == '_'))
                {
                    i++;
                }

                string word = sql[start..i];
                tokens.Add(Keywords.Contains(word) ? new SqlToken(SqlTokenKind.Keyword, word.ToUpperInvariant(), start) : new SqlToken(SqlTokenKind.Identifier, word.ToLowerInvariant(), start));
            }
            else if (char.IsAsciiDigit(c))
            {
                while (i < sql.Length && char.IsAsciiDigit(sql[i]))
                {
                    i++;
                }

                bool isDecimal = i < sql.Length && sql[i] == '.' && i + 1 < sql.Length && char.IsAsciiDigit(sql[i + 1]);
                if (isDecimal)
                {
                    i++;
                    while (i < sql.Length && char.IsAsciiDigit(sql[i]))
                    {
                        i++;
                    }
                }

                tokens.Add(new SqlToken(isDecimal ? SqlTokenKind.Decimal : SqlTokenKind.Integer, sql[start..i], start));
            }
            else if (c == '\'')
            {
                var text = new StringBuilder();
                i++;
                while (true)
                {
                    if (i >= sql.Length)
                    {
                        throw Unsupported(start, "an unterminated string literal");
                    }

                    if (sql[i] == '\'')
                    {
                        if (i + 1 < sql.Length && sql[i + 1] == '\'')
                        {
                            text.Append('\'');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    text.Append(sql[i++]);
                }

                tokens.Add(new SqlToken(SqlTokenKind.String, text.ToString(), start));
            }
            else if (c == '@')
            {
                i++;
                while (i < sql.Length && (char.IsAsciiLetterOrDigit(sql[i]) || sql[i] == '_'))
                {
                    i++;
                }

                if (i == start + 1)
                {
                    throw Unsupported(start, "'@' without a parameter name");
                }

                tokens.Add(new SqlToken(SqlTokenKind.Parameter, sql[(start + 1)..i].ToLowerInvariant(), start));
            }
            else
            {
                string two = i + 1 < sql.Length ? sql.Substring(i, 2) : string.Empty;
                if (two is "<>" or "!=" or "<=" or ">=")
                {
                    tokens.Add(new SqlToken(SqlTokenKind.Symbol, two == "!=" ? "<>" : two, start));
                    i += 2;
                }
                else if (c is '(' or ')' or ',' or '.' or '*' or ';' or '=' or '<' or '>')
                {
                    tokens.Add(new SqlToken(SqlTokenKind.Symbol, c.ToString(), start));
                    i++;
                }
                else
                {
                    throw Unsupported(start, $"the character '{c}' (quoted identifiers, comments, casts and arithmetic are outside the subset)");
                }
            }
        }

        tokens.Add(new SqlToken(SqlTokenKind.End, string.Empty, sql.Length));
        return tokens;
    }

    public static EncryptedDbException Unsupported(int position, string what) =>
        new(EncryptedDbFailureCode.UnsupportedSql, $"SQL outside the supported subset at offset {position}: {what} (docs/encrypted-db.md, \"SQL subset\")");
}
