using System.Collections.Generic;
using System.Globalization;
using SecGear.Edl.Diagnostics;
using SecGear.Edl.Model;

namespace SecGear.Edl.Syntax;

/// <summary>
/// Turns EDL text into tokens. Bad characters are reported and skipped, so lexing always finishes in one pass
/// over the text.
/// </summary>
internal sealed class Lexer
{
    private readonly string path;
    private readonly string text;
    private readonly DiagnosticBag diagnostics;
    private int pos;
    private int line = 1;
    private int lineStart;

    private Lexer(string path, string text, DiagnosticBag diagnostics)
    {
        this.path = path;
        this.text = text;
        this.diagnostics = diagnostics;

        // A byte-order mark left in the text by a reader that did not strip it is not content.
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            pos = 1;
            lineStart = 1;
        }
    }

    public static List<Token> Tokenize(string path, string text, DiagnosticBag diagnostics)
    {
        var lexer = new Lexer(path, text, diagnostics);
        var tokens = new List<Token>();
        Token t;
        do
        {
            t = lexer.Next();
            tokens.Add(t);
        }
        while (t.Kind != TokenKind.EndOfFile);

        return tokens;
    }

    private SourceLocation Here() => new SourceLocation(path, line, pos - lineStart + 1);

    private void NewLine()
    {
        line++;
        lineStart = pos;
    }

    private Token Next()
    {
        while (pos < text.Length)
        {
            if (diagnostics.IsFull)
            {
                pos = text.Length;
                break;
            }

            char c = text[pos];
            if (c == '\n')
            {
                pos++;
                NewLine();
                continue;
            }

            if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v')
            {
                pos++;
                continue;
            }

            if (c == '/' && pos + 1 < text.Length && text[pos + 1] == '/')
            {
                while (pos < text.Length && text[pos] != '\n')
                {
                    pos++;
                }

                continue;
            }

            if (c == '/' && pos + 1 < text.Length && text[pos + 1] == '*')
            {
                SkipBlockComment();
                continue;
            }

            SourceLocation start = Here();
            if (IsIdentStart(c))
            {
                int begin = pos;
                while (pos < text.Length && IsIdentPart(text[pos]))
                {
                    pos++;
                }

                return new Token(TokenKind.Identifier, text.Substring(begin, pos - begin), 0, start);
            }

            if (c >= '0' && c <= '9')
            {
                return LexNumber(start);
            }

            if (c == '"')
            {
                return LexString(start);
            }

            pos++;
            switch (c)
            {
                case '{': return new Token(TokenKind.LBrace, "{", 0, start);
                case '}': return new Token(TokenKind.RBrace, "}", 0, start);
                case '(': return new Token(TokenKind.LParen, "(", 0, start);
                case ')': return new Token(TokenKind.RParen, ")", 0, start);
                case '[': return new Token(TokenKind.LBracket, "[", 0, start);
                case ']': return new Token(TokenKind.RBracket, "]", 0, start);
                case '*': return new Token(TokenKind.Star, "*", 0, start);
                case ',': return new Token(TokenKind.Comma, ",", 0, start);
                case ';': return new Token(TokenKind.Semicolon, ";", 0, start);
                case '=': return new Token(TokenKind.Equals, "=", 0, start);
                case '#': return new Token(TokenKind.Hash, "#", 0, start);
                case '-':
                    diagnostics.Report(EdlDiagnosticDescriptors.NegativeNumber, start);
                    continue;
                default:
                    diagnostics.Report(EdlDiagnosticDescriptors.InvalidCharacter, start, Printable(c));
                    continue;
            }
        }

        return new Token(TokenKind.EndOfFile, "", 0, Here());
    }

    private void SkipBlockComment()
    {
        SourceLocation start = Here();
        pos += 2;
        while (pos < text.Length)
        {
            char c = text[pos];
            if (c == '*' && pos + 1 < text.Length && text[pos + 1] == '/')
            {
                pos += 2;
                return;
            }

            pos++;
            if (c == '\n')
            {
                NewLine();
            }
        }

        diagnostics.Report(EdlDiagnosticDescriptors.UnterminatedComment, start);
    }

    private Token LexNumber(SourceLocation start)
    {
        int begin = pos;
        if (text[pos] == '0' && pos + 1 < text.Length && (text[pos + 1] == 'x' || text[pos + 1] == 'X'))
        {
            pos += 2;
            while (pos < text.Length && IsIdentPart(text[pos]))
            {
                pos++;
            }

            string hex = text.Substring(begin, pos - begin);
            diagnostics.Report(EdlDiagnosticDescriptors.HexNumber, start, hex);
            return new Token(TokenKind.Number, hex, 0, start, isMalformed: true);
        }

        while (pos < text.Length && text[pos] >= '0' && text[pos] <= '9')
        {
            pos++;
        }

        string digits = text.Substring(begin, pos - begin);
        if (digits.Length > 1 && digits[0] == '0')
        {
            diagnostics.Report(EdlDiagnosticDescriptors.LeadingZero, start, Shorten(digits));
            return new Token(TokenKind.Number, digits, 0, start, isMalformed: true);
        }

        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
        {
            diagnostics.Report(EdlDiagnosticDescriptors.NumberTooLarge, start, Shorten(digits));
            return new Token(TokenKind.Number, digits, 0, start, isMalformed: true);
        }

        return new Token(TokenKind.Number, digits, value, start);
    }

    private Token LexString(SourceLocation start)
    {
        pos++;
        int begin = pos;
        while (pos < text.Length && text[pos] != '"' && text[pos] != '\n' && text[pos] != '\r')
        {
            pos++;
        }

        string contents = text.Substring(begin, pos - begin);
        if (pos < text.Length && text[pos] == '"')
        {
            pos++;
        }
        else
        {
            diagnostics.Report(EdlDiagnosticDescriptors.UnterminatedString, start);
        }

        return new Token(TokenKind.String, contents, 0, start);
    }

    private static bool IsIdentStart(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';

    private static bool IsIdentPart(char c) => IsIdentStart(c) || (c >= '0' && c <= '9');

    private static string Shorten(string s) => s.Length <= 40 ? s : s.Substring(0, 40) + "...";

    private static string Printable(char c) =>
        c >= ' ' && c < 0x7F ? c.ToString() : "U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);
}
