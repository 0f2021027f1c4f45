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
    private readonly string _path;
    private readonly string _text;
    private readonly DiagnosticBag _diagnostics;
    private int _pos;
    private int _line = 1;
    private int _lineStart;

    private Lexer(string path, string text, DiagnosticBag diagnostics)
    {
        _path = path;
        _text = text;
        _diagnostics = diagnostics;

        // A byte-order mark left in the text by a reader that did not strip it is not content.
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            _pos = 1;
            _lineStart = 1;
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

    private SourceLocation Here() => new SourceLocation(_path, _line, _pos - _lineStart + 1);

    private void NewLine()
    {
        _line++;
        _lineStart = _pos;
    }

    private Token Next()
    {
        while (_pos < _text.Length)
        {
            if (_diagnostics.IsFull)
            {
                _pos = _text.Length;
                break;
            }

            char c = _text[_pos];
            if (c == '\n')
            {
                _pos++;
                NewLine();
                continue;
            }

            if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v')
            {
                _pos++;
                continue;
            }

            if (c == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == '/')
            {
                while (_pos < _text.Length && _text[_pos] != '\n')
                {
                    _pos++;
                }

                continue;
            }

            if (c == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == '*')
            {
                SkipBlockComment();
                continue;
            }

            SourceLocation start = Here();
            if (IsIdentStart(c))
            {
                int begin = _pos;
                while (_pos < _text.Length && IsIdentPart(_text[_pos]))
                {
                    _pos++;
                }

                return new Token(TokenKind.Identifier, _text.Substring(begin, _pos - begin), 0, start);
            }

            if (c >= '0' && c <= '9')
            {
                return LexNumber(start);
            }

            if (c == '"')
            {
                return LexString(start);
            }

            _pos++;
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
                    _diagnostics.Report(EdlDiagnosticDescriptors.NegativeNumber, start);
                    continue;
                default:
                    _diagnostics.Report(EdlDiagnosticDescriptors.InvalidCharacter, start, Printable(c));
                    continue;
            }
        }

        return new Token(TokenKind.EndOfFile, "", 0, Here());
    }

    private void SkipBlockComment()
    {
        SourceLocation start = Here();
        _pos += 2;
        while (_pos < _text.Length)
        {
            char c = _text[_pos];
            if (c == '*' && _pos + 1 < _text.Length && _text[_pos + 1] == '/')
            {
                _pos += 2;
                return;
            }

            _pos++;
            if (c == '\n')
            {
                NewLine();
            }
        }

        _diagnostics.Report(EdlDiagnosticDescriptors.UnterminatedComment, start);
    }

    private Token LexNumber(SourceLocation start)
    {
        int begin = _pos;
        if (_text[_pos] == '0' && _pos + 1 < _text.Length && (_text[_pos + 1] == 'x' || _text[_pos + 1] == 'X'))
        {
            _pos += 2;
            while (_pos < _text.Length && IsIdentPart(_text[_pos]))
            {
                _pos++;
            }

            string hex = _text.Substring(begin, _pos - begin);
            _diagnostics.Report(EdlDiagnosticDescriptors.HexNumber, start, hex);
            return new Token(TokenKind.Number, hex, 0, start, isMalformed: true);
        }

        while (_pos < _text.Length && _text[_pos] >= '0' && _text[_pos] <= '9')
        {
            _pos++;
        }

        string digits = _text.Substring(begin, _pos - begin);
        if (digits.Length > 1 && digits[0] == '0')
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.LeadingZero, start, Shorten(digits));
            return new Token(TokenKind.Number, digits, 0, start, isMalformed: true);
        }

        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long value))
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.NumberTooLarge, start, Shorten(digits));
            return new Token(TokenKind.Number, digits, 0, start, isMalformed: true);
        }

        return new Token(TokenKind.Number, digits, value, start);
    }

    private Token LexString(SourceLocation start)
    {
        _pos++;
        int begin = _pos;
        while (_pos < _text.Length && _text[_pos] != '"' && _text[_pos] != '\n' && _text[_pos] != '\r')
        {
            _pos++;
        }

        string contents = _text.Substring(begin, _pos - begin);
        if (_pos < _text.Length && _text[_pos] == '"')
        {
            _pos++;
        }
        else
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.UnterminatedString, start);
        }

        return new Token(TokenKind.String, contents, 0, start);
    }

    private static bool IsIdentStart(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';

    private static bool IsIdentPart(char c) => IsIdentStart(c) || (c >= '0' && c <= '9');

    private static string Shorten(string s) => s.Length <= 40 ? s : s.Substring(0, 40) + "...";

    private static string Printable(char c) =>
        c >= ' ' && c < 0x7F ? c.ToString() : "U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);
}
