using SecGear.Edl.Model;
using SecGear.Edl.Tests.Support;

namespace SecGear.Edl.Tests;

/// <summary>
/// EDL written in the style of the Intel SGX SDK, Intel SGX SSL, Open Enclave and secGear (RealWorld/*.edl): the
/// constructs that made real files fail only because the compiler could not be told what the build knows.
/// </summary>
public sealed class RealWorldEdlTests
{
    private static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "RealWorld");

    private static readonly Dictionary<string, int> ForeignSizes = File.ReadAllLines(Path.Combine(Dir, "foreign-types.txt"))
        .Select(l => l.Split('#')[0].Trim()).Where(l => l.Length > 0)
        .ToDictionary(l => l.Split('=')[0], l => int.Parse(l.Split('=')[1], System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal);

    private static EdlCompilation Compile(string file, EdlCompileOptions? options = null)
    {
        string path = Path.Combine(Dir, file);
        options ??= new EdlCompileOptions();
        return EdlCompiler.Compile(path, File.ReadAllText(path), options with { SearchPaths = [Dir], Files = new DirectoryFileProvider(), ForeignTypeSizes = ForeignSizes });
    }

    [Theory]
    [InlineData("sgx_tstdc.edl", 5)]
    [InlineData("sgx_tsgxssl.edl", 13)]
    [InlineData("sgx_tprotected_fs.edl", 15)]
    [InlineData("secgear_tstdc.edl", 2)]
    public void Import_only_library_compiles_with_library_mode_and_foreign_sizes(string file, int ocalls)
    {
        var result = Compile(file, new EdlCompileOptions { RequirePublicEcall = false });

        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        Assert.Equal(ocalls, result.Contract!.Untrusted.Count);
        Assert.Empty(result.Contract.Trusted);
    }

    [Fact]
    public void Import_only_library_without_library_mode_fails_only_for_the_missing_public_ecall()
    {
        var result = Compile("sgx_tstdc.edl");

        Assert.Equal(["SG0325"], result.Diagnostics.Where(d => d.Severity == EdlSeverity.Error).Select(d => d.Id));
    }

    [Fact]
    public void Foreign_types_without_sizes_are_the_only_errors_of_sgx_ssl_style_edl()
    {
        string path = Path.Combine(Dir, "sgx_tsgxssl.edl");
        var result = EdlCompiler.Compile(path, File.ReadAllText(path), new EdlCompileOptions { SearchPaths = [Dir], Files = new DirectoryFileProvider(), RequirePublicEcall = false });

        Assert.Contains(result.Diagnostics, d => d.Severity == EdlSeverity.Error);
        Assert.All(result.Diagnostics.Where(d => d.Severity == EdlSeverity.Error), d => Assert.Equal("SG0343", d.Id));
    }

    [Fact]
    public void Secgear_style_contract_with_switchless_calls_imports_and_foreign_types_compiles()
    {
        var contract = Compile("secgear_switchless.edl").Contract;

        Assert.NotNull(contract);
        Assert.Equal(8, contract!.Trusted.Count);
        Assert.Equal(6, contract.Untrusted.Count);
        var kind = Assert.Single(contract.Enums);
        Assert.Equal([0L, 2L, 2L], kind.Members.Select(m => m.Value));
        Assert.All(kind.Members, m => Assert.Null(m.ForeignValue));
    }

    [Fact]
    public void Open_enclave_style_edl_fails_under_intel_rules_with_the_relaxations_named()
    {
        var result = Compile("oe_syscall.edl");

        Assert.Equal(["SG0334", "SG0301"], result.Diagnostics.Where(d => d.Severity == EdlSeverity.Error).Select(d => d.Id));
    }

    [Fact]
    public void Open_enclave_dialect_accepts_typedef_deep_copy_and_directionless_arrays_with_warnings()
    {
        var result = Compile("oe_syscall.edl", new EdlCompileOptions { Dialect = EdlDialect.OpenEnclave });

        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        Assert.Contains(result.Diagnostics, d => d.Id == "SG0357" && d.Severity == EdlSeverity.Warning);
        Assert.Contains(result.Diagnostics, d => d.Id == "SG0358" && d.Severity == EdlSeverity.Warning);
        var pipe = result.Contract!.Untrusted.Single(f => f.Name == "oe_syscall_pipe_ocall");
        Assert.True(pipe.Parameters[0].Attributes.In);
    }

    [Fact]
    public void Enumerator_naming_a_header_constant_is_accepted_and_passed_through()
    {
        var contract = Compile("oe_syscall.edl", new EdlCompileOptions { Dialect = EdlDialect.OpenEnclave }).Contract!;

        var socket = contract.Enums.Single(e => e.Name == "oe_socket_type_t");
        Assert.Equal("OE_ENUM_MAX", socket.Members.Single(m => m.Name == "OE_SOCK_MAX").ForeignValue);
        var fd = contract.Enums.Single(e => e.Name == "oe_fd_kind_t");
        Assert.Equal(2, fd.Members.Single(m => m.Name == "OE_FD_LAST").Value);
        Assert.Null(fd.Members.Single(m => m.Name == "OE_FD_LAST").ForeignValue);
        Assert.Contains("OE_SOCK_MAX=OE_ENUM_MAX", EdlCanonicalForm.Of(contract), StringComparison.Ordinal);
    }

    [Fact]
    public void Enumerator_naming_a_given_foreign_constant_takes_its_value_and_successors_count_up()
    {
        var result = EdlText.Compile(
            "enclave { enum e { A = OE_ENUM_MAX, B, C = 7, D }; enum f { X = UNKNOWN, Y }; trusted { public void g(int x); }; };",
            new EdlCompileOptions { ForeignConstants = new Dictionary<string, long> { ["OE_ENUM_MAX"] = 100 } });

        Assert.Equal(["SG0346"], result.Ids());
        var e = result.Contract!.Enums[0];
        Assert.Equal([100L, 101L, 7L, 8L], e.Members.Select(m => m.Value));
        Assert.Equal(["UNKNOWN", "UNKNOWN+1"], result.Contract.Enums[1].Members.Select(m => m.ForeignValue));
    }

    [Fact]
    public void Enumerator_with_an_unknown_value_cannot_size_an_array()
    {
        var result = EdlText.Compile("enclave { enum e { N = FROM_HEADER }; trusted { public void g([in] int a[N]); }; };");

        Assert.Contains("SG0320", result.Ids());
    }

    [Fact]
    public void Returning_an_array_gets_the_dedicated_diagnostic_naming_the_function()
    {
        var result = EdlText.Compile(EdlText.WithTrusted("public int[4] f(void);"));

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal("SG0134", error.Id);
        Assert.Contains("'f'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Isptr_on_an_array_names_the_array()
    {
        var result = EdlText.Compile(EdlText.WithTrusted("public void f([in, isptr] int arr[4]);"));

        var error = Assert.Single(result.Diagnostics);
        Assert.Equal("SG0315", error.Id);
        Assert.Contains("'arr' is an array (int[4])", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void File_with_more_than_200_warnings_and_no_error_compiles()
    {
        string functions = "public void f(void); " + string.Concat(Enumerable.Range(0, 205).Select(i => $"void p{i}(void); "));

        var result = EdlText.Compile(EdlText.WithTrusted(functions));

        Assert.False(result.HasErrors);
        Assert.NotNull(result.Contract);
        var cap = result.Diagnostics[^1];
        Assert.Equal(("SG0902", EdlSeverity.Warning), (cap.Id, cap.Severity));
    }

    [Fact]
    public void Error_after_the_diagnostic_cap_still_fails_the_compilation()
    {
        string functions = "public void f(void); " + string.Concat(Enumerable.Range(0, 205).Select(i => $"void p{i}(void); ")) + "public void bad(int* q);";

        var result = EdlText.Compile(EdlText.WithTrusted(functions));

        Assert.True(result.HasErrors);
        Assert.Equal(("SG0902", EdlSeverity.Error), (result.Diagnostics[^1].Id, result.Diagnostics[^1].Severity));
    }

    [Theory]
    [InlineData(EdlImportOrder.LastFirst, "second")]
    [InlineData(EdlImportOrder.FirstFirst, "first")]
    public void Import_order_decides_which_search_path_wins(EdlImportOrder order, string winner)
    {
        var files = new InMemoryFileProvider(new Dictionary<string, string>
        {
            [Path.Combine("first", "lib.edl")] = "enclave { untrusted { void from_first(); }; };",
            [Path.Combine("second", "lib.edl")] = "enclave { untrusted { void from_second(); }; };",
        });

        var contract = EdlText.Contract(
            "enclave { from \"lib.edl\" import *; trusted { public void f(); }; };",
            new EdlCompileOptions { SearchPaths = ["first", "second"], Files = files, ImportOrder = order });

        Assert.Equal("from_" + winner, Assert.Single(contract.Untrusted).Name);
    }
}
