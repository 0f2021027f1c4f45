namespace SecGear.EncryptedDb.Client.Sql;

/// <summary>A token of the SQL subset.</summary>
/// <param name="Kind">What it is.</param>
/// <param name="Text">Identifier (lowercased), keyword (uppercased), symbol, string contents, number or parameter name.</param>
/// <param name="Position">Offset in the SQL text (for error messages).</param>
internal sealed record SqlToken(SqlTokenKind Kind, string Text, int Position);

/// <summary>Token kinds.</summary>
internal enum SqlTokenKind
{
    Identifier,
    Keyword,
    Integer,
    Decimal,
    String,
    Parameter,
    Symbol,
    End,
}
