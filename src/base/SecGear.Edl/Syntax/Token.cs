using SecGear.Edl.Model;

namespace SecGear.Edl.Syntax;

/// <summary>
/// One token: its kind, its text (identifier name, string contents without quotes, number digits) and where it
/// starts. <see cref="Value"/> holds a number's value.
/// </summary>
internal sealed class Token
{
    public Token(TokenKind kind, string text, long value, SourceLocation location, bool isMalformed = false)
    {
        Kind = kind;
        Text = text;
        Value = value;
        Location = location;
        IsMalformed = isMalformed;
    }

    public TokenKind Kind { get; }

    public string Text { get; }

    public long Value { get; }

    public SourceLocation Location { get; }

    /// <summary>A number the lexer already reported as invalid; later stages stay quiet about it.</summary>
    public bool IsMalformed { get; }

    public bool Is(string keyword) => Kind == TokenKind.Identifier && Text == keyword;

    /// <summary>How the token reads in a diagnostic.</summary>
    public string Describe() => Kind switch
    {
        TokenKind.EndOfFile => "end of file",
        TokenKind.Identifier => "'" + Text + "'",
        TokenKind.Number => "number " + Text,
        TokenKind.String => "string \"" + Text + "\"",
        _ => "'" + Text + "'",
    };
}
