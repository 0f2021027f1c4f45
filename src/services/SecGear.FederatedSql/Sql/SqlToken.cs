namespace SecGear.FederatedSql.Sql;

/// <summary>One token of SQL text; <see cref="Position"/> is its 1-based character offset, for error messages.</summary>
public readonly record struct SqlToken(SqlTokenKind Kind, string Text, int Position);

/// <summary>The kinds of token the lexer produces.</summary>
public enum SqlTokenKind
{
    /// <summary>An identifier or keyword (lower-cased).</summary>
    Word,

    /// <summary>An integer literal.</summary>
    Integer,

    /// <summary>A literal with a decimal point.</summary>
    Decimal,

    /// <summary>A literal with an exponent.</summary>
    Float,

    /// <summary>A single-quoted string (quotes removed, doubled quotes undone).</summary>
    String,

    /// <summary>An operator or punctuation mark.</summary>
    Symbol,

    /// <summary>The end of the text.</summary>
    End,
}
