using System.Text;
using SecGear.Edl.Tests.Support;

namespace SecGear.Edl.Tests;

public sealed class LimitTests
{
    [Fact]
    public void Ifdef_nesting_deeper_than_the_limit_is_reported_once()
    {
        string text = string.Concat(Enumerable.Repeat("#ifdef A\n", 100)) + "enclave { trusted { public void f(); }; };";

        EdlCompilation result = EdlText.Compile(text);

        Assert.Equal(["SG0107"], result.Ids());
        Assert.Equal(65, result.Diagnostics[0].Location.Line);
    }

    [Fact]
    public void File_larger_than_the_limit_is_rejected_before_lexing()
    {
        string text = "enclave { trusted { public void f(); }; };" + new string(' ', 16 * 1024 * 1024);

        EdlCompilation result = EdlText.Compile(text);

        Assert.Equal(["SG0901"], result.Ids());
    }

    [Fact]
    public void Diagnostics_stop_after_the_limit_with_one_final_error()
    {
        string text = "enclave { trusted { public void f(); }; }; " + new string('@', 5000);

        EdlCompilation result = EdlText.Compile(text);

        Assert.Equal(201, result.Diagnostics.Count);
        Assert.Equal("SG0902", result.Diagnostics[^1].Id);
        Assert.All(result.Diagnostics.Take(200), d => Assert.Equal("SG0001", d.Id));
    }

    [Fact]
    public void Thousands_of_nested_brackets_do_not_exhaust_the_stack()
    {
        string text = "enclave { trusted { public void f(" + new string('[', 200_000) + new string('(', 200_000) + "); }; };";

        EdlCompilation result = EdlText.Compile(text);

        Assert.True(result.HasErrors);
        Assert.DoesNotContain("SG0999", result.Ids());
    }

    [Fact]
    public void A_long_chain_of_structs_contained_by_value_is_checked_without_recursion()
    {
        var sb = new StringBuilder("enclave {\n");
        const int n = 20_000;
        for (int i = 0; i < n; i++)
        {
            sb.Append("struct s").Append(i).Append(" { struct s").Append((i + 1) % n).Append(" next; };\n");
        }

        sb.Append("trusted { public void f(); }; };");

        EdlCompilation result = EdlText.Compile(sb.ToString());

        Assert.Equal(["SG0353"], result.Ids());
    }

    [Fact]
    public void Very_deep_pointer_types_are_accepted_with_a_warning_not_crashed_on()
    {
        string text = EdlText.WithTrusted("public void f([in] int" + new string('*', 100_000) + " p);");

        EdlCompilation result = EdlText.Compile(text);

        Assert.Equal(["SG0356"], result.Ids());
    }

    [Fact]
    public void Size_arithmetic_on_dimensions_is_checked_for_overflow()
    {
        string text = EdlText.WithTrusted("public void f([in] uint8_t v[9223372036854775807][2]);");

        EdlCompilation result = EdlText.Compile(text);

        Assert.Equal(["SG0350"], result.Ids());
    }

    [Fact]
    public void Implicit_enum_value_after_the_largest_integer_overflows_with_an_error()
    {
        EdlCompilation result = EdlText.Compile("enclave { enum e { A = 9223372036854775807, B }; trusted { public void f(); }; };");

        Assert.Equal(["SG0345"], result.Ids());
    }

    [Fact]
    public async Task Huge_parameter_and_member_lists_finish_without_quadratic_blowup()
    {
        // Each size reference names the last sibling and the deep-copy member comes last, so any per-use scan
        // of the siblings or members would be quadratic.
        const int n = 100_000;
        var sb = new StringBuilder("enclave { struct big {");
        for (int i = 0; i < n; i++)
        {
            sb.Append(" [count=len] int* m").Append(i).Append(';');
        }

        sb.Append(" size_t len; }; trusted { public void f(");
        for (int i = 0; i < n; i++)
        {
            sb.Append("[in, count=n] struct big* p").Append(i).Append(", ");
        }

        sb.Append("size_t n); }; };");
        string text = sb.ToString();

        // A hang guard, not a timing assertion: linear work takes well under a second, quadratic work takes minutes.
        EdlCompilation result = await Task.Run(() => EdlText.Compile(text)).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.False(result.HasErrors);
        Assert.Equal(n + 1, result.Contract!.Trusted[0].Parameters.Count);
    }

    [Fact]
    public void Two_thousand_function_contract_compiles_and_numbers_every_function()
    {
        var sb = new StringBuilder("enclave { trusted {");
        for (int i = 0; i < 1000; i++)
        {
            sb.Append(" public int e").Append(i).Append("([in, size=len] const uint8_t* b, size_t len);");
        }

        sb.Append(" }; untrusted {");
        for (int i = 0; i < 1000; i++)
        {
            sb.Append(" void o").Append(i).Append("([in, string] const char* s) allow(e0);");
        }

        sb.Append(" }; };");

        var contract = EdlText.Contract(sb.ToString());

        Assert.Equal(Enumerable.Range(0, 1000), contract.Trusted.Select(f => f.Id));
        Assert.Equal(Enumerable.Range(0, 1000), contract.Untrusted.Select(f => f.Id));
        Assert.Equal("e999", contract.Trusted[999].Name);
    }
}
