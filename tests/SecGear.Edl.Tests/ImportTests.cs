using SecGear.Edl.Tests.Support;

namespace SecGear.Edl.Tests;

public sealed class ImportTests
{
    private const string Lib = "enclave { trusted { public void lib_fn(); }; };";

    private static EdlCompileOptions With(Dictionary<string, string> files, params string[] searchPaths) =>
        new() { Files = new InMemoryFileProvider(files), SearchPaths = searchPaths };

    [Fact]
    public void Relative_import_is_searched_in_the_most_recently_given_path_first_then_as_written()
    {
        var files = new Dictionary<string, string>
        {
            [Path.Combine("first", "lib.edl")] = "enclave { trusted { public void from_first(); }; };",
            [Path.Combine("second", "lib.edl")] = "enclave { trusted { public void from_second(); }; };",
            ["lib.edl"] = "enclave { trusted { public void from_cwd(); }; };",
        };
        const string root = "enclave { from \"lib.edl\" import *; trusted { public void r(); }; };";

        Assert.Equal("from_second", EdlText.Contract(root, With(files, "first", "second")).Trusted[1].Name);
        Assert.Equal("from_first", EdlText.Contract(root, With(files, "first")).Trusted[1].Name);
        Assert.Equal("from_cwd", EdlText.Contract(root, With(files)).Trusted[1].Name);
    }

    [Fact]
    public void Imports_are_not_resolved_relative_to_the_importing_file()
    {
        var files = new Dictionary<string, string>
        {
            [Path.Combine("inc", "a.edl")] = "enclave { from \"b.edl\" import *; trusted { public void a(); }; };",
            [Path.Combine("inc", "b.edl")] = Lib,
        };
        var provider = new InMemoryFileProvider(files);

        EdlCompilation result = EdlCompiler.Compile("root.edl", "enclave { from \"inc/a.edl\" import *; trusted { public void r(); }; };", new EdlCompileOptions { Files = provider });

        Assert.Equal(["SG0202"], result.Ids());
        Assert.Equal(Path.Combine("inc", "a.edl"), result.Diagnostics[0].Location.File);
        Assert.DoesNotContain(Path.Combine("inc", "b.edl"), provider.Requests);
    }

    [Fact]
    public void Absolute_import_is_used_as_is()
    {
        string abs = Path.Combine(Path.GetTempPath(), "abs_lib.edl");
        var provider = new InMemoryFileProvider(new Dictionary<string, string> { [abs] = Lib });

        EdlCompilation result = EdlText.Compile("enclave { from \"" + abs + "\" import *; trusted { public void r(); }; };", new EdlCompileOptions { Files = provider, SearchPaths = ["ignored"] });

        Assert.False(result.HasErrors);
        Assert.Equal([abs], provider.Requests);
    }

    [Fact]
    public void Import_without_a_file_provider_is_an_error_that_says_so()
    {
        EdlCompilation result = EdlText.Compile("enclave { from \"lib.edl\" import *; trusted { public void r(); }; };");

        Assert.Contains("no file provider", Assert.Single(result.Diagnostics).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_provider_that_fails_with_an_io_error_means_not_found_and_names_the_error()
    {
        EdlCompilation result = EdlText.Compile("enclave { from \"lib.edl\" import *; trusted { public void r(); }; };", new EdlCompileOptions { Files = new ThrowingProvider() });

        Assert.Equal(["SG0202"], result.Ids());
        Assert.Contains("unreadable: lib.edl: IOException", result.Diagnostics[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Imports_inside_a_skipped_ifdef_are_never_read()
    {
        var provider = new InMemoryFileProvider(new Dictionary<string, string>());

        EdlCompilation result = EdlText.Compile("enclave {\n#ifdef X\n from \"lib.edl\" import *;\n#endif\n trusted { public void r(); }; };", new EdlCompileOptions { Files = provider });

        Assert.Empty(result.Diagnostics);
        Assert.Empty(provider.Requests);
    }

    [Fact]
    public void Defines_apply_to_imported_files_too()
    {
        var files = new Dictionary<string, string> { ["lib.edl"] = "enclave { trusted {\n#ifdef FEATURE\n public void feature();\n#endif\n }; };" };
        const string root = "enclave { from \"lib.edl\" import *; trusted { public void r(); }; };";

        var on = EdlText.Contract(root, new EdlCompileOptions { Files = new InMemoryFileProvider(files), Defines = ["FEATURE"] });
        var off = EdlText.Contract(root, new EdlCompileOptions { Files = new InMemoryFileProvider(files) });

        Assert.Equal(["r", "feature"], on.Trusted.Select(f => f.Name));
        Assert.Equal(["r"], off.Trusted.Select(f => f.Name));
    }

    [Fact]
    public void Diamond_imports_merge_each_file_once_in_depth_first_order()
    {
        CorpusCase c = CorpusCase.Load(Path.Combine("Valid", "diamond_import.edl"));

        var contract = c.Compile().Contract!;

        Assert.Equal(["top", "left_fn", "base_fn"], contract.Trusted.Select(f => f.Name));
        Assert.Equal(["right_ocall"], contract.Untrusted.Select(f => f.Name));
        Assert.Equal(["base_t"], contract.Structs.Select(s => s.Name));
        Assert.Equal(["base.h"], contract.Includes);
        Assert.Equal(1, ((DirectoryFileProvider)c.Options.Files!).Requests.Count(p => p.EndsWith("base.edl", StringComparison.Ordinal)));
    }

    [Fact]
    public void Selective_import_keeps_the_imported_files_order_and_brings_all_its_types()
    {
        var contract = CorpusCase.Load(Path.Combine("Valid", "selective_import.edl")).Compile().Contract!;

        Assert.Equal(["root_fn", "first", "third", "second"], contract.Trusted.Select(f => f.Name));
        Assert.Empty(contract.Untrusted);
        Assert.Equal(["many_type"], contract.Structs.Select(s => s.Name));
    }

    [Fact]
    public void Selective_import_can_pick_a_function_the_imported_file_itself_imports()
    {
        var files = new Dictionary<string, string>
        {
            ["mid.edl"] = "enclave { from \"leaf.edl\" import *; trusted { public void mid(); }; };",
            ["leaf.edl"] = "enclave { trusted { public void leaf(); }; };",
        };

        var contract = EdlText.Contract("enclave { from \"mid.edl\" import leaf; trusted { public void r(); }; };", With(files));

        Assert.Equal(["r", "leaf"], contract.Trusted.Select(f => f.Name));
    }

    [Fact]
    public void Import_chain_deeper_than_the_limit_is_reported()
    {
        var files = new Dictionary<string, string>();
        for (int i = 0; i < 40; i++)
        {
            files["f" + i + ".edl"] = "enclave { from \"f" + (i + 1) + ".edl\" import *; untrusted { void o" + i + "(); }; };";
        }

        files["f40.edl"] = Lib;

        EdlCompilation result = EdlText.Compile("enclave { from \"f0.edl\" import *; trusted { public void r(); }; };", With(files));

        Assert.Equal(["SG0206"], result.Ids());
    }

    [Fact]
    public void Parse_errors_in_an_imported_file_carry_that_files_path()
    {
        var files = new Dictionary<string, string> { ["bad.edl"] = "enclave { trusted { public void f(int* p); }; };" };

        EdlCompilation result = EdlText.Compile("enclave { from \"bad.edl\" import *; trusted { public void r(); }; };", With(files));

        Assert.Equal("bad.edl(1,35): error SG0301: parameter 'p' is a pointer or array and needs a direction ('in', 'out') or 'user_check'", Assert.Single(result.Diagnostics).ToString());
    }

    [Fact]
    public void A_missing_import_is_reported_once_without_echoes_from_allow_lists()
    {
        EdlCompilation result = EdlText.Compile("enclave { from \"gone.edl\" import *; untrusted { void o() allow(lib_fn); }; };", With([]));

        Assert.Equal(["SG0202"], result.Ids());
    }

    [Theory]
    [InlineData("a\u0000b.edl")]
    [InlineData("")]
    [InlineData("../../../../etc/passwd")]
    [InlineData("con:aux|*?.edl")]
    public void Hostile_import_paths_are_not_found_rather_than_crashing(string path)
    {
        var provider = new InMemoryFileProvider(new Dictionary<string, string>());

        EdlCompilation result = EdlText.Compile("enclave { from \"" + path + "\" import *; trusted { public void r(); }; };", new EdlCompileOptions { Files = provider, SearchPaths = ["inc"] });

        Assert.Equal(["SG0202"], result.Ids());
    }

    private sealed class ThrowingProvider : IEdlFileProvider
    {
        public string? TryRead(string path) => throw new IOException("disk on fire");
    }
}
