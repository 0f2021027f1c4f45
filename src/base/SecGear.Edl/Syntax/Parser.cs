using System.Collections.Generic;
using SecGear.Edl.Diagnostics;
using SecGear.Edl.Model;

namespace SecGear.Edl.Syntax;

/// <summary>
/// Recursive-descent parser for one preprocessed EDL file. The grammar has no recursion deeper than a fixed
/// number of levels, so hostile input cannot exhaust the stack. Parsing stops at the first syntax error; rule
/// violations that leave the structure intact (repeated attributes, misplaced suffixes) are reported and parsing
/// continues.
/// </summary>
internal sealed partial class Parser
{
    private readonly List<Token> _tokens;
    private readonly DiagnosticBag _diagnostics;
    private readonly EdlFileSyntax _file;
    private int _pos;

    private Parser(string path, List<Token> tokens, DiagnosticBag diagnostics)
    {
        _tokens = tokens;
        _diagnostics = diagnostics;
        _file = new EdlFileSyntax(path);
    }

    /// <summary>Parses <paramref name="tokens"/> (ending with an end-of-file token); returns what was parsed before any syntax error.</summary>
    public static EdlFileSyntax Parse(string path, List<Token> tokens, DiagnosticBag diagnostics)
    {
        var parser = new Parser(path, tokens, diagnostics);
        try
        {
            parser.ParseEnclave();
        }
        catch (SyntaxAbortException)
        {
            // Already reported. What was parsed so far is kept; whole-file checks are skipped (IsComplete).
            parser._file.IsComplete = false;
        }

        return parser._file;
    }

    private Token Current => _tokens[_pos];

    private Token Peek(int ahead) => _tokens[System.Math.Min(_pos + ahead, _tokens.Count - 1)];

    private Token Advance()
    {
        Token t = _tokens[_pos];
        if (t.Kind != TokenKind.EndOfFile)
        {
            _pos++;
        }

        return t;
    }

    private SyntaxAbortException Fail(string expected)
    {
        _diagnostics.Report(EdlDiagnosticDescriptors.Expected, Current.Location, expected, Current.Describe());
        return new SyntaxAbortException();
    }

    private SyntaxAbortException Fail(EdlDiagnosticDescriptor descriptor, SourceLocation location, params object[] args)
    {
        _diagnostics.Report(descriptor, location, args);
        return new SyntaxAbortException();
    }

    private Token Expect(TokenKind kind, string expected)
    {
        if (Current.Kind != kind)
        {
            throw Fail(expected);
        }

        return Advance();
    }

    private void ExpectKeyword(string keyword)
    {
        if (!Current.Is(keyword))
        {
            throw Fail("'" + keyword + "'");
        }

        Advance();
    }

    /// <summary>Reads a name that is not a reserved word.</summary>
    private Token ExpectName(string what)
    {
        Token t = Current;
        if (t.Kind != TokenKind.Identifier)
        {
            throw Fail(what);
        }

        if (Keywords.IsReserved(t.Text))
        {
            throw Fail(EdlDiagnosticDescriptors.ReservedName, t.Location, t.Text);
        }

        return Advance();
    }

    private void ParseEnclave()
    {
        _file.EnclaveLocation = Current.Location;
        ExpectKeyword("enclave");
        Expect(TokenKind.LBrace, "'{' after 'enclave'");
        while (Current.Kind != TokenKind.RBrace)
        {
            ParseItem();
        }

        Advance();
        Expect(TokenKind.Semicolon, "';' after the enclave's closing '}'");
        if (Current.Kind != TokenKind.EndOfFile)
        {
            throw Fail(EdlDiagnosticDescriptors.TrailingTokens, Current.Location, Current.Describe());
        }
    }

    private void ParseItem()
    {
        Token t = Current;
        if (t.Kind == TokenKind.Identifier)
        {
            switch (t.Text)
            {
                case "include":
                    _file.Includes.Add(ParseInclude(null));
                    return;
                case "from":
                    ParseFromImport();
                    return;
                case "import":
                    ParseBareImport();
                    return;
                case "struct":
                case "union":
                    ParseStruct();
                    Expect(TokenKind.Semicolon, "';' after the definition");
                    return;
                case "enum":
                    ParseEnum();
                    Expect(TokenKind.Semicolon, "';' after the enum");
                    return;
                case "trusted":
                    ParseBlock(true);
                    return;
                case "untrusted":
                    ParseBlock(false);
                    return;
            }
        }

        throw Fail("an EDL item (include, from, import, struct, union, enum, trusted or untrusted) or '}'");
    }

    private IncludeSyntax ParseInclude(bool? trustedSide)
    {
        Token kw = Advance();
        Token header = Expect(TokenKind.String, "a header name in quotes after 'include'");
        return new IncludeSyntax(header.Text, trustedSide, kw.Location);
    }

    private void ParseFromImport()
    {
        Token kw = Advance();
        Token path = Expect(TokenKind.String, "a file name in quotes after 'from'");
        ExpectKeyword("import");
        if (Current.Kind == TokenKind.Star)
        {
            Advance();
            _file.Imports.Add(new ImportSyntax(path.Text, null, kw.Location));
        }
        else if (Current.Kind == TokenKind.Semicolon)
        {
            throw Fail(EdlDiagnosticDescriptors.EmptyImportList, Current.Location, path.Text);
        }
        else
        {
            var names = new List<Token> { ExpectName("'*' or a function name to import") };
            while (Current.Kind == TokenKind.Comma)
            {
                Advance();
                names.Add(ExpectName("a function name to import"));
            }

            _file.Imports.Add(new ImportSyntax(path.Text, names, kw.Location));
        }

        Expect(TokenKind.Semicolon, "';' after the import");
    }

    private void ParseBareImport()
    {
        Token kw = Advance();
        Token path = Expect(TokenKind.String, "a file name in quotes after 'import'");
        _diagnostics.Report(EdlDiagnosticDescriptors.ImportWithoutFrom, kw.Location, path.Text);
        _file.Imports.Add(new ImportSyntax(path.Text, null, kw.Location));
        if (Current.Kind == TokenKind.Semicolon)
        {
            Advance();
        }
    }

    private void ParseBlock(bool trusted)
    {
        Advance();
        Expect(TokenKind.LBrace, trusted ? "'{' after 'trusted'" : "'{' after 'untrusted'");
        bool seenFunction = false;
        while (Current.Kind != TokenKind.RBrace)
        {
            if (Current.Is("include"))
            {
                if (seenFunction)
                {
                    throw Fail(EdlDiagnosticDescriptors.IncludeAfterFunction, Current.Location);
                }

                _file.Includes.Add(ParseInclude(trusted));
                continue;
            }

            seenFunction = true;
            _file.Functions.Add(trusted ? ParseTrustedFunction() : ParseUntrustedFunction());
        }

        Advance();
        Expect(TokenKind.Semicolon, "';' after the block's closing '}'");
    }

    private FunctionSyntax ParseTrustedFunction()
    {
        var fn = new FunctionSyntax { IsTrusted = true };
        if (Current.Kind == TokenKind.LBracket)
        {
            throw Fail(EdlDiagnosticDescriptors.BadFunctionAttributes, Current.Location, "an attribute block '[...]' is allowed only before an untrusted function (OCALL)");
        }

        if (Current.Is("public"))
        {
            Advance();
            fn.IsPublic = true;
        }

        ParseHead(fn);
        ParseSuffixes(fn);
        Expect(TokenKind.Semicolon, "';' after the function");
        return fn;
    }

    private FunctionSyntax ParseUntrustedFunction()
    {
        var fn = new FunctionSyntax { IsTrusted = false, IsPublic = true };
        if (Current.Kind == TokenKind.LBracket)
        {
            ParseFunctionAttributes(fn);
        }

        if (Current.Is("public"))
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.PublicOcall, Current.Location);
            Advance();
        }

        ParseHead(fn);
        ParseSuffixes(fn);
        Expect(TokenKind.Semicolon, "';' after the function");
        return fn;
    }

    private void ParseFunctionAttributes(FunctionSyntax fn)
    {
        Token open = Advance();
        if (Current.Kind == TokenKind.RBracket)
        {
            throw Fail(EdlDiagnosticDescriptors.EmptyAttributeList, open.Location);
        }

        while (true)
        {
            Token name = Expect(TokenKind.Identifier, "a calling convention or 'dllimport'");
            EdlCallingConvention cc = name.Text switch
            {
                "cdecl" => EdlCallingConvention.Cdecl,
                "stdcall" => EdlCallingConvention.Stdcall,
                "fastcall" => EdlCallingConvention.Fastcall,
                _ => EdlCallingConvention.None,
            };
            if (cc != EdlCallingConvention.None)
            {
                if (fn.CallingConvention != EdlCallingConvention.None)
                {
                    _diagnostics.Report(EdlDiagnosticDescriptors.BadFunctionAttributes, name.Location, "a function has at most one calling convention");
                }

                fn.CallingConvention = cc;
            }
            else if (name.Text == "dllimport")
            {
                if (fn.DllImport)
                {
                    _diagnostics.Report(EdlDiagnosticDescriptors.BadFunctionAttributes, name.Location, "'dllimport' is given more than once");
                }

                fn.DllImport = true;
            }
            else
            {
                throw Fail(EdlDiagnosticDescriptors.BadFunctionAttributes, name.Location, "'" + name.Text + "' is not a function attribute (expected cdecl, stdcall, fastcall or dllimport)");
            }

            _diagnostics.Report(EdlDiagnosticDescriptors.CallingConventionIgnored, name.Location, name.Text);
            if (Current.Kind == TokenKind.Comma)
            {
                Advance();
                continue;
            }

            Expect(TokenKind.RBracket, "',' or ']' in the function attribute list");
            return;
        }
    }

    private void ParseHead(FunctionSyntax fn)
    {
        SourceLocation typeLocation = Current.Location;
        fn.ReturnType = ParseType(allowConst: false);
        if (Current.Kind == TokenKind.LBracket)
        {
            // 'int[4] f(void)': name the real rule (no array returns), not the syntax it happens to break.
            throw Fail(EdlDiagnosticDescriptors.ReturnArray, Current.Location, NameAfterDimensions());
        }

        Token name = ExpectName("a function name");
        fn.Name = name.Text;
        fn.Location = typeLocation;
        Expect(TokenKind.LParen, "'(' after the function name");
        if (Current.Is("void") && Peek(1).Kind == TokenKind.RParen)
        {
            Advance();
        }

        if (Current.Kind != TokenKind.RParen)
        {
            fn.Parameters.Add(ParseDeclaration(isParameter: true, unionName: null));
            while (Current.Kind == TokenKind.Comma)
            {
                Advance();
                fn.Parameters.Add(ParseDeclaration(isParameter: true, unionName: null));
            }
        }

        Expect(TokenKind.RParen, "',' or ')' in the parameter list");
        if (Current.Kind == TokenKind.LBracket)
        {
            throw Fail(EdlDiagnosticDescriptors.ReturnArray, Current.Location, fn.Name);
        }
    }

    /// <summary>The name after <c>[..][..]</c> at the current token (without consuming anything), or "?".</summary>
    private string NameAfterDimensions()
    {
        int i = 0;
        while (Peek(i).Kind == TokenKind.LBracket && Peek(i + 2).Kind == TokenKind.RBracket)
        {
            i += 3;
        }

        Token t = Peek(i);
        return t.Kind == TokenKind.Identifier ? t.Text : "?";
    }

    private void ParseSuffixes(FunctionSyntax fn)
    {
        bool seenAllow = false;
        bool seenSuffixWord = false;
        while (true)
        {
            Token t = Current;
            if (t.Is("allow"))
            {
                Advance();
                Expect(TokenKind.LParen, "'(' after 'allow'");
                if (Current.Kind != TokenKind.RParen)
                {
                    fn.Allow.Add(ExpectName("an ECALL name in allow(...)"));
                    while (Current.Kind == TokenKind.Comma)
                    {
                        Advance();
                        fn.Allow.Add(ExpectName("an ECALL name in allow(...)"));
                    }
                }

                Expect(TokenKind.RParen, "',' or ')' in allow(...)");
                if (fn.IsTrusted)
                {
                    _diagnostics.Report(EdlDiagnosticDescriptors.OcallOnlySuffix, t.Location, "allow");
                }
                else if (seenAllow)
                {
                    _diagnostics.Report(EdlDiagnosticDescriptors.SuffixOrder, t.Location, "'allow' is given more than once");
                }
                else if (seenSuffixWord)
                {
                    _diagnostics.Report(EdlDiagnosticDescriptors.SuffixOrder, t.Location, "'allow(...)' must come before 'propagate_errno' and 'transition_using_threads'");
                }

                seenAllow = true;
            }
            else if (t.Is("propagate_errno"))
            {
                Advance();
                if (fn.IsTrusted)
                {
                    _diagnostics.Report(EdlDiagnosticDescriptors.OcallOnlySuffix, t.Location, "propagate_errno");
                }
                else if (fn.PropagateErrno)
                {
                    _diagnostics.Report(EdlDiagnosticDescriptors.SuffixOrder, t.Location, "'propagate_errno' is given more than once");
                }

                fn.PropagateErrno = !fn.IsTrusted;
                seenSuffixWord = true;
            }
            else if (t.Is("transition_using_threads"))
            {
                Advance();
                if (fn.Switchless)
                {
                    _diagnostics.Report(EdlDiagnosticDescriptors.SuffixOrder, t.Location, "'transition_using_threads' is given more than once");
                }

                fn.Switchless = true;
                seenSuffixWord = true;
            }
            else
            {
                return;
            }
        }
    }

    private void ParseStruct()
    {
        Token kw = Advance();
        bool isUnion = kw.Text == "union";
        Token name = ExpectName(isUnion ? "a union name" : "a struct name");
        var def = new StructSyntax(name.Text, isUnion, kw.Location);
        Expect(TokenKind.LBrace, "'{' after the " + kw.Text + " name");
        if (Current.Kind == TokenKind.RBrace)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.EmptyStruct, kw.Location, kw.Text, name.Text);
        }

        while (Current.Kind != TokenKind.RBrace)
        {
            def.Members.Add(ParseDeclaration(isParameter: false, unionName: isUnion ? name.Text : null));
            if (Current.Kind == TokenKind.Semicolon)
            {
                Advance();
            }
            else if (Current.Kind == TokenKind.RBrace)
            {
                _diagnostics.Report(EdlDiagnosticDescriptors.MissingMemberSemicolon, Current.Location, name.Text);
            }
            else
            {
                throw Fail("';' after the member");
            }
        }

        Advance();
        _file.Structs.Add(def);
    }

    private void ParseEnum()
    {
        Token kw = Advance();
        string? name = null;
        if (Current.Kind == TokenKind.Identifier)
        {
            name = ExpectName("an enum name").Text;
        }

        var def = new EnumSyntax(name, kw.Location);
        Expect(TokenKind.LBrace, "'{' or an enum name after 'enum'");
        while (Current.Kind != TokenKind.RBrace)
        {
            Token member = ExpectName("an enumerator name");
            long? literal = null;
            string? reference = null;
            if (Current.Kind == TokenKind.Equals)
            {
                Advance();
                if (Current.Kind == TokenKind.Number)
                {
                    literal = Advance().Value;
                }
                else
                {
                    reference = ExpectName("a number or an enumerator name after '='").Text;
                }
            }

            def.Enumerators.Add(new EnumeratorSyntax(member.Text, literal, reference, member.Location));
            if (Current.Kind == TokenKind.Comma)
            {
                Token comma = Advance();
                if (Current.Kind == TokenKind.RBrace)
                {
                    _diagnostics.Report(EdlDiagnosticDescriptors.TrailingEnumComma, comma.Location);
                }
            }
            else if (Current.Kind != TokenKind.RBrace)
            {
                throw Fail("',' or '}' in the enum");
            }
        }

        Advance();
        _file.Enums.Add(def);
    }
}
