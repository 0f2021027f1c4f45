using SecGear.Edl.Tests.Support;

namespace SecGear.Edl.Tests;

public sealed class CanonicalFormTests
{
    private const string Base = """
        enclave {
            include "a.h"
            struct s { size_t n; [count=n] int* d; };
            enum e { A, B = 4 };
            trusted {
                public int f([in, size=len] const uint8_t* buf, size_t len, [in, out] struct s* p);
                void g(void);
            };
            untrusted {
                void o([in, string] const char* m) allow(g) propagate_errno;
            };
        };
        """;

    private static string Form(string text) => EdlCanonicalForm.Of(EdlText.Contract(text));

    [Fact]
    public void Canonical_form_lists_every_wire_relevant_fact()
    {
        Assert.Equal(
            "secgear-edl-canonical 1\n" +
            "include both \"a.h\"\n" +
            "enum e { A=0, B=4 }\n" +
            "struct s { size_t n; [count=n] int* d; }\n" +
            "trusted 0 public int f([in,size=len] const uint8_t* buf, size_t len, [in,out] struct s* p)\n" +
            "trusted 1 private void g()\n" +
            "untrusted 0 void o([in,string] const char* m) allow(g) propagate_errno\n",
            Form(Base));
    }

    [Fact]
    public void Whitespace_comments_paths_and_calling_conventions_do_not_change_it()
    {
        string reformatted = "/* same contract */ enclave{include \"a.h\" struct s{size_t n;[count=n]int*d;};enum e{A,B=4};" +
            "trusted{public int f([in,size=len]const uint8_t*buf,size_t len,[in,out]struct s*p);void g(void);};" +
            "untrusted{[cdecl] void o([in,string]const char*m)allow(g)propagate_errno;};};";

        string elsewhere = EdlCanonicalForm.Of(EdlCompiler.Compile("/other/dir/name.edl", Base).Contract!);

        Assert.Equal(Form(Base), Form(reformatted));
        Assert.Equal(Form(Base), elsewhere);
    }

    [Theory]
    [InlineData("[in, size=len] const uint8_t* buf", "[in, count=len] const uint8_t* buf")]
    [InlineData("B = 4", "B = 5")]
    [InlineData("public int f(", "public long long f(")]
    [InlineData("allow(g)", "allow()")]
    [InlineData("propagate_errno;", "transition_using_threads;")]
    [InlineData("void g(void);", "public void g(void);")]
    [InlineData("include \"a.h\"", "include \"b.h\"")]
    public void Any_wire_relevant_change_changes_it(string from, string to)
    {
        string changed = Base.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(Base, changed);

        Assert.NotEqual(Form(Base), Form(changed));
    }

    [Fact]
    public void Reordering_functions_changes_ids_and_so_the_form()
    {
        string a = EdlText.WithTrusted("public void x(); public void y();");
        string b = EdlText.WithTrusted("public void y(); public void x();");

        Assert.NotEqual(Form(a), Form(b));
    }

    [Fact]
    public void Null_contract_is_an_argument_error()
    {
        Assert.Throws<ArgumentNullException>(() => EdlCanonicalForm.Of(null!));
    }
}
