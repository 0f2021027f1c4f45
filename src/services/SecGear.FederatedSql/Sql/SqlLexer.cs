using System.Text;

namespace SecGear.FederatedSql.Sql;

/// <summary>Splits SQL text into tokens. Unquoted identifiers and keywords are case-insensitive and come out lower-cased.</summary>
public static class SqlLexer
{
    /// <summary>The longest SQL text accepted.</summary>
    public const int MaxLength = 64 * 1024;

    /// <summary>Tokenises <paramref name="sql"/>; throws <see cref="FederatedSqlException"/> (Syntax) for a bad character or literal.</summary>
    public static List<SqlToken> Tokenize(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        if (sql.Length > MaxLength)
        {
            throw Fail(1, $"the query is {sql.Length} characters long; at most {MaxLength} are accepted");
        }

        var tokens = new List<SqlToken>();
        int i = 0;
        while (i < sql.Length)
        {
            char c = sql[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                while (i < sql.Length && sql[i] != '\n')
                {
                    i++;
                }
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                int start = i;
                while (i < sql.Length && (char.IsAsciiLetterOrDigit(sql[i]) || sql[i] == '_'))
                {
                    i++;
                }

                tokens.Add(new SqlToken(SqlTokenKind.Word, sql[start..i].ToLowerInvariant(), start + 1));
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < sql.Length && char.IsAsciiDigit(sql[i + 1])))
            {
                tokens.Add(Number(sql, ref i));
            }
            else if (c == '\'')
            {
                tokens.Add(QuotedString(sql, ref i));
            }
            else if (c == '"')
            {
                throw new FederatedSqlException(FederatedSqlFailureCode.OutsideSubset, $"quoted identifiers (at {i + 1}) are outside the subset; use plain names");
            }
            else
            {
                string two = i + 1 < sql.Length ? sql.Substring(i, 2) : string.Empty;
                if (two is "<=" or ">=" or "<>" or "!=")
                {
                    tokens.Add(new SqlToken(SqlTokenKind.Symbol, two == "!=" ? "<>" : two, i + 1));
                    i += 2;
                }
                else if ("=<>+-*/(),.;".Contains(c, StringComparison.Ordinal))
                {
                    tokens.Add(new SqlToken(SqlTokenKind.Symbol, c.ToString(), i + 1));
                    i++;
                }
                else
                {
                    throw Fail(i + 1, $"unexpected character '{c}'");
                }
            }
        }

        tokens.Add(new SqlToken(SqlTokenKind.End, string.Empty, sql.Length + 1));
        return tokens;
    }

    private static SqlToken Number(string sql, ref int i)
    {
        int start = i;
        var kind = SqlTokenKind.Integer;
        while (i < sql.Length && char.IsAsciiDigit(sql[i]))
        {
            i++;
        }

        if (i < sql.Length && sql[i] == '.')
        {
            kind = SqlTokenKind.Decimal;
            i++;
            while (i < sql.Length && char.IsAsciiDigit(sql[i]))
            {
                i++;
            }
        }

        if (i < sql.Length && (sql[i] == 'e' || sql[i] == 'E'))
        {
            kind = SqlTokenKind.Float;
            i++;
            if (i < sql.Length && (sql[i] == '+' || sql[i] == '-'))
            {
                i++;
            }

            int digits = i;
            while (i < sql.Length && char.IsAsciiDigit(sql[i]))
            {
                i++;
            }

            if (digits == i)
            {
                throw Fail(start + 1, "a number's exponent has no digits");
            }
        }

        if (i < sql.Length && (char.IsAsciiLetter(sql[i]) || sql[i] == '_'))
        {
            throw Fail(start + 1, $"'{sql[start..(i + 1)]}' is neither a number nor a name");
        }

        return new SqlToken(kind, sql[start..i], start + 1);
    }

    private static SqlToken QuotedString(string sql, ref int i)
    {
        int start = i;
        var text = new StringBuilder();
        i++;
        while (true)
        {
            if (i >= sql.Length)
            {
                throw Fail(start + 1, "a string literal is not closed");
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
                return new SqlToken(SqlTokenKind.String, text.ToString(), start + 1);
            }

            text.Append(sql[i]);
            i++;
        }
    }

    private static FederatedSqlException Fail(int position, string message) =>
        new(FederatedSqlFailureCode.Syntax, $"syntax error at character {position}: {message}");
}
