namespace SecGear.Edl.Syntax;

/// <summary>Kinds of EDL tokens. Keywords are <see cref="Identifier"/> tokens; the parser tells them apart by text.</summary>
internal enum TokenKind
{
    EndOfFile,
    Identifier,
    Number,
    String,
    LBrace,
    RBrace,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Star,
    Comma,
    Semicolon,
    Equals,
    Hash,
}
