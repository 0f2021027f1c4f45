using SecGear.Edl.Model;
using SecGear.Edl.Tests.Support;

namespace SecGear.Edl.Tests;

public sealed class LexerTests
{
    [Fact]
    public void Longest_match_makes_a_keyword_prefix_an_identifier()
    {
        EdlContract c = EdlText.Contract(EdlText.WithTrusted("public void f(int8_tx a, uint8_t b);"), new EdlCompileOptions { ForeignTypeSizes = new Dictionary<string, int> { ["int8_tx"] = 1 } });

        EdlParameter a = c.Trusted[0].Parameters[0];
        Assert.Equal((EdlBaseType.Named, "int8_tx"), (a.Type.Base, a.Type.Name));
    }

    [Fact]
    public void Columns_count_characters_and_lines_count_lf_including_after_crlf()
    {
        EdlCompilation result = EdlText.Compile("enclave {\r\n\ttrusted {\r\n\t\tpublic void f(int* p);\r\n\t};\r\n};");

        SourceLocation at = Assert.Single(result.Diagnostics).Location;
        Assert.Equal((3, 17), (at.Line, at.Column));
    }

    [Fact]
    public void Zero_alone_is_a_number_but_a_leading_zero_is_not()
    {
        Assert.False(EdlText.Compile("enclave { enum e { A = 0 }; trusted { public void f(); }; };").HasErrors);
        Assert.Equal(["SG0004"], EdlText.Compile("enclave { enum e { A = 00 }; trusted { public void f(); }; };").Ids());
    }

    [Fact]
    public void String_at_end_of_file_without_closing_quote_is_reported()
    {
        EdlCompilation result = EdlText.Compile("enclave { include \"abc");

        Assert.Contains("SG0003", result.Ids());
    }

    [Fact]
    public void Non_ascii_and_control_characters_are_named_in_the_message()
    {
        EdlCompilation result = EdlText.Compile(EdlText.WithTrusted("public void f(); \u00e9 \u0001"));

        Assert.Equal(["invalid character 'U+00E9' in EDL", "invalid character 'U+0001' in EDL"], result.Diagnostics.Select(d => d.Message));
    }

    [Fact]
    public void Skipped_tokens_must_still_lex()
    {
        EdlCompilation result = EdlText.Compile("enclave {\n#ifdef NEVER\n @\n#endif\n trusted { public void f(); }; };");

        Assert.Equal(["SG0001"], result.Ids());
    }

    [Fact]
    public void Directive_may_not_use_an_unsupported_name_even_inside_a_skipped_block()
    {
        EdlCompilation result = EdlText.Compile("enclave {\n#ifdef NEVER\n#include \"x.h\"\n#endif\n trusted { public void f(); }; };");

        Assert.Equal(["SG0101"], result.Ids());
    }

    [Fact]
    public void A_leading_byte_order_mark_is_ignored_but_one_elsewhere_is_an_error()
    {
        EdlCompilation withBom = EdlText.Compile("\uFEFF" + EdlText.WithTrusted("public void f(int* p);"));
        EdlCompilation inside = EdlText.Compile(EdlText.WithTrusted("public void f();\uFEFF"));

        Assert.Equal((1, 35), (withBom.Diagnostics.Single().Location.Line, withBom.Diagnostics.Single().Location.Column));
        Assert.Equal(["SG0001"], inside.Ids());
    }
}
