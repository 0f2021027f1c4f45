using System.Collections.Generic;
using SecGear.Edl.Diagnostics;
using SecGear.Edl.Model;

namespace SecGear.Edl.Syntax;

/// <summary>Types, declarators and attribute lists.</summary>
internal sealed partial class Parser
{
    private DeclarationSyntax ParseDeclaration(bool isParameter, string? unionName)
    {
        SourceLocation start = Current.Location;
        EdlAttributes attributes = EdlAttributes.None;
        bool hasList = false;
        if (Current.Kind == TokenKind.LBracket)
        {
            hasList = true;
            attributes = ParseAttributeList();
        }

        EdlType type = ParseType(allowConst: isParameter);
        Token name = ExpectName(isParameter ? "a parameter name" : "a member name");
        if (unionName != null && hasList)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.UnionMemberAttribute, start, name.Text, unionName);
        }

        var dims = new List<DimensionSyntax>();
        while (Current.Kind == TokenKind.LBracket)
        {
            Token open = Advance();
            Token t = Current;
            if (t.Kind == TokenKind.RBracket)
            {
                _diagnostics.Report(EdlDiagnosticDescriptors.BadDimension, open.Location, "'[]'");
                dims.Add(DimensionSyntax.Invalid(open.Location));
            }
            else if (t.Kind == TokenKind.Number)
            {
                Advance();
                if (t.IsMalformed)
                {
                    dims.Add(DimensionSyntax.Invalid(t.Location));
                }
                else if (t.Value <= 0)
                {
                    _diagnostics.Report(EdlDiagnosticDescriptors.BadDimension, t.Location, "[" + t.Text + "]");
                    dims.Add(DimensionSyntax.Invalid(t.Location));
                }
                else
                {
                    dims.Add(new DimensionSyntax(t.Value, null, t.Location));
                }
            }
            else
            {
                Token dimName = ExpectName("a dimension (a number or an enumerator name)");
                dims.Add(new DimensionSyntax(null, dimName.Text, dimName.Location));
            }

            Expect(TokenKind.RBracket, "']' after the dimension");
        }

        return new DeclarationSyntax(name.Text, type, attributes, dims, start);
    }

    private EdlType ParseType(bool allowConst)
    {
        bool isConst = false;
        SourceLocation? constLocation = null;
        if (Current.Is("const"))
        {
            constLocation = Advance().Location;
            isConst = true;
            if (!allowConst)
            {
                _diagnostics.Report(EdlDiagnosticDescriptors.MisplacedConst, constLocation);
            }
        }

        EdlType type = ParseBaseType();
        int depth = 0;
        while (Current.Kind == TokenKind.Star)
        {
            Advance();
            depth++;
        }

        if (isConst && allowConst && depth == 0 && constLocation != null)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.MisplacedConst, constLocation);
        }

        return type with { PointerDepth = depth, IsConst = isConst };
    }

    private EdlType ParseBaseType()
    {
        Token t = Current;
        if (t.Kind != TokenKind.Identifier)
        {
            throw Fail("a type");
        }

        switch (t.Text)
        {
            case "unsigned":
                Advance();
                return ParseUnsigned();
            case "char":
                Advance();
                RejectIntAfter("char int");
                return Builtin(EdlBaseType.Char);
            case "short":
                Advance();
                SkipOptional("int");
                return Builtin(EdlBaseType.Short);
            case "long":
                Advance();
                if (Current.Is("long"))
                {
                    Advance();
                    RejectIntAfter("long long int");
                    return Builtin(EdlBaseType.LongLong);
                }

                if (Current.Is("double"))
                {
                    Advance();
                    return Builtin(EdlBaseType.LongDouble);
                }

                SkipOptional("int");
                return Builtin(EdlBaseType.Long);
            case "signed":
                throw Fail(EdlDiagnosticDescriptors.InvalidTypeSpelling, t.Location, "'signed' is not an EDL type word; write 'int', 'char' or an intN_t type");
            case "struct":
            case "union":
            case "enum":
                Advance();
                Token name = ExpectName("a " + t.Text + " name");
                EdlTagKind tag = t.Text == "struct" ? EdlTagKind.Struct : t.Text == "union" ? EdlTagKind.Union : EdlTagKind.Enum;
                return new EdlType(EdlBaseType.Named, name.Text, tag, 0, false);
        }

        EdlBaseType? simple = SimpleType(t.Text);
        if (simple != null)
        {
            Advance();
            return Builtin(simple.Value);
        }

        if (Keywords.IsReserved(t.Text))
        {
            throw Fail("a type");
        }

        Advance();
        return new EdlType(EdlBaseType.Named, t.Text, EdlTagKind.None, 0, false);
    }

    private EdlType ParseUnsigned()
    {
        Token t = Current;
        switch (t.Text)
        {
            case "char":
                Advance();
                RejectIntAfter("unsigned char int");
                return Builtin(EdlBaseType.UnsignedChar);
            case "short":
                Advance();
                SkipOptional("int");
                return Builtin(EdlBaseType.UnsignedShort);
            case "int":
                Advance();
                return Builtin(EdlBaseType.UnsignedInt);
            case "long":
                Advance();
                if (Current.Is("long"))
                {
                    Advance();
                    RejectIntAfter("unsigned long long int");
                    return Builtin(EdlBaseType.UnsignedLongLong);
                }

                SkipOptional("int");
                return Builtin(EdlBaseType.UnsignedLong);
            case "float":
            case "double":
                throw Fail(EdlDiagnosticDescriptors.InvalidTypeSpelling, t.Location, "'unsigned " + t.Text + "' is not a type");
            default:
                return Builtin(EdlBaseType.UnsignedInt);
        }
    }

    private static EdlBaseType? SimpleType(string word) => word switch
    {
        "int" => EdlBaseType.Int,
        "float" => EdlBaseType.Float,
        "double" => EdlBaseType.Double,
        "size_t" => EdlBaseType.SizeT,
        "wchar_t" => EdlBaseType.WCharT,
        "int8_t" => EdlBaseType.Int8,
        "int16_t" => EdlBaseType.Int16,
        "int32_t" => EdlBaseType.Int32,
        "int64_t" => EdlBaseType.Int64,
        "uint8_t" => EdlBaseType.UInt8,
        "uint16_t" => EdlBaseType.UInt16,
        "uint32_t" => EdlBaseType.UInt32,
        "uint64_t" => EdlBaseType.UInt64,
        "void" => EdlBaseType.Void,
        "bool" => EdlBaseType.Bool,
        "uintptr_t" => EdlBaseType.UIntPtr,
        "intptr_t" => EdlBaseType.IntPtr,
        "ssize_t" => EdlBaseType.SSizeT,
        _ => null,
    };

    private static EdlType Builtin(EdlBaseType type) => new EdlType(type, null, EdlTagKind.None, 0, false);

    private void SkipOptional(string word)
    {
        if (Current.Is(word))
        {
            Advance();
        }
    }

    private void RejectIntAfter(string spelling)
    {
        if (Current.Is("int"))
        {
            throw Fail(EdlDiagnosticDescriptors.InvalidTypeSpelling, Current.Location, "'" + spelling + "' is not an EDL type");
        }
    }

    private EdlAttributes ParseAttributeList()
    {
        Token open = Advance();
        if (Current.Kind == TokenKind.RBracket)
        {
            Advance();
            _diagnostics.Report(EdlDiagnosticDescriptors.EmptyAttributeList, open.Location);
            return EdlAttributes.None;
        }

        var seen = new HashSet<string>();
        var a = new EdlAttributes();
        while (true)
        {
            Token name = Expect(TokenKind.Identifier, "an attribute name");
            Token? value = null;
            if (Current.Kind == TokenKind.Equals)
            {
                Advance();
                if (Current.Kind == TokenKind.Number)
                {
                    value = Advance();
                }
                else
                {
                    value = ExpectName("a number or a name after '='");
                }
            }

            a = ApplyAttribute(a, name, value, seen);
            if (Current.Kind == TokenKind.Comma)
            {
                Advance();
                continue;
            }

            Expect(TokenKind.RBracket, "',' or ']' in the attribute list");
            return a;
        }
    }

    private EdlAttributes ApplyAttribute(EdlAttributes a, Token name, Token? value, HashSet<string> seen)
    {
        string n = name.Text;
        bool isFlag = n is "in" or "out" or "user_check" or "string" or "wstring" or "isptr" or "isary" or "readonly";
        bool isSized = n is "size" or "count";
        if (n == "sizefunc")
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.SizeFuncDeprecated, name.Location);
            return a;
        }

        if (!isFlag && !isSized)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.UnknownAttribute, name.Location, n);
            return a;
        }

        if (!seen.Add(n))
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.DuplicateAttribute, name.Location, n);
            return a;
        }

        if (isFlag && value != null)
        {
            _diagnostics.Report(EdlDiagnosticDescriptors.AttributeValue, name.Location, "attribute '" + n + "' takes no value");
        }

        if (isSized)
        {
            if (value == null)
            {
                _diagnostics.Report(EdlDiagnosticDescriptors.AttributeValue, name.Location, "attribute '" + n + "' needs a value: " + n + "=N or " + n + "=name");
                return a;
            }

            var expr = value.Kind == TokenKind.Number
                ? new EdlSizeExpr(value.Value, null)
                : new EdlSizeExpr(null, value.Text);
            return n == "size" ? a with { Size = expr } : a with { Count = expr };
        }

        return n switch
        {
            "in" => a with { In = true },
            "out" => a with { Out = true },
            "user_check" => a with { UserCheck = true },
            "string" => a with { String = true },
            "wstring" => a with { WString = true },
            "isptr" => a with { IsPtr = true },
            "isary" => a with { IsAry = true },
            _ => a with { ReadOnly = true },
        };
    }
}
