namespace SecGear.Cli.Tests;

public sealed class EdlCommandTests : IDisposable
{
    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Check_reports_a_valid_contract_and_exits_zero()
    {
        var edl = _cli.Path("hello.edl");
        File.WriteAllText(edl, "enclave { trusted { public int get([out, size=n] char* b, size_t n); }; untrusted { void log([in, string] const char* s); }; };");

        var output = _cli.Ok("edl", "check", edl);

        Assert.Contains("hello: 1 ECALLs, 1 OCALLs", output);
    }

    [Fact]
    public void Check_prints_msbuild_form_diagnostics_and_exits_one_on_error()
    {
        var edl = _cli.Path("bad.edl");
        File.WriteAllText(edl, "enclave {\n trusted {\n public void f(int* q);\n };\n};");

        var (code, _, error) = _cli.Run("edl", "check", edl);

        Assert.Equal(SecGearCli.Failure, code);
        Assert.Contains($"{edl}(3,", error);
        Assert.Contains(": error SG0301:", error);
    }

    [Fact]
    public void Check_resolves_imports_through_search_paths_and_defines()
    {
        var lib = Path.Combine(_cli.Directory, "lib");
        Directory.CreateDirectory(lib);
        File.WriteAllText(Path.Combine(lib, "common.edl"), "enclave { untrusted { void tick(); }; };");
        var edl = _cli.Path("root.edl");
        File.WriteAllText(edl, "enclave { from \"common.edl\" import *; trusted {\n#ifdef EXTRA\n public void extra();\n#endif\n public void f(); }; };");

        var withoutDefine = _cli.Ok("edl", "check", edl, "-I", lib);
        var withDefine = _cli.Ok("edl", "check", edl, "-I", lib, "-D", "EXTRA");

        Assert.Contains("root: 1 ECALLs, 1 OCALLs", withoutDefine);
        Assert.Contains("root: 2 ECALLs, 1 OCALLs", withDefine);
    }

    [Fact]
    public void Check_fails_cleanly_when_an_import_is_missing()
    {
        var edl = _cli.Path("root.edl");
        File.WriteAllText(edl, "enclave { from \"nowhere.edl\" import *; trusted { public void f(); }; };");

        var (code, _, error) = _cli.Run("edl", "check", edl);

        Assert.Equal(SecGearCli.Failure, code);
        Assert.Contains("nowhere.edl", error);
    }

    [Fact]
    public void Gen_writes_host_and_enclave_sources_for_the_requested_side()
    {
        var edl = _cli.Path("hello.edl");
        File.WriteAllText(edl, "enclave { trusted { public int get([out, size=n] char* b, size_t n); }; untrusted { void log([in, string] const char* s); }; };");
        var outDir = _cli.Path("gen");

        _cli.Ok("edl", "gen", edl, "--side", "host", "--out", outDir, "--namespace", "My.App");

        var files = Directory.GetFiles(outDir).Select(Path.GetFileName).Order().ToArray();
        Assert.Contains("Hello.Host.g.cs", files);
        Assert.DoesNotContain("Hello.Enclave.g.cs", files);
        var host = File.ReadAllText(Path.Combine(outDir, "Hello.Host.g.cs"));
        Assert.Contains("namespace My.App", host);
        Assert.Contains("class HelloProxy", host);
    }

    [Fact]
    public void Gen_rejects_an_unknown_side_as_a_usage_error()
    {
        var edl = _cli.Path("hello.edl");
        File.WriteAllText(edl, "enclave { trusted { public void f(); }; };");

        var (code, _, _) = _cli.Run("edl", "gen", edl, "--side", "middle", "--out", _cli.Path("gen"));

        Assert.Equal(SecGearCli.UsageError, code);
    }
}

/// <summary>The switches real-world EDL needs on the command line: foreign type sizes, library mode, -W, dialect, import order.</summary>
public sealed class EdlCompileSwitchTests : IDisposable
{
    private const string Library = "enclave { untrusted { void log([in] const sgx_report_t* r); int ping(sgx_target_info_t t); }; };";

    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Library_with_foreign_types_needs_library_and_sizes_and_then_passes()
    {
        var edl = _cli.Path("lib.edl");
        File.WriteAllText(edl, Library);

        var (bare, _, bareError) = _cli.Run("edl", "check", edl);
        var ok = _cli.Ok("edl", "check", edl, "--library", "--foreign-type", "sgx_report_t=432", "--foreign-type", "sgx_target_info_t=512");

        Assert.Equal(SecGearCli.Failure, bare);
        Assert.Contains("SG0325", bareError);
        Assert.Contains("SG0343", bareError);
        Assert.Contains("lib: 0 ECALLs, 2 OCALLs", ok);
    }

    [Fact]
    public void Foreign_type_sizes_can_come_from_a_file()
    {
        var edl = _cli.Path("lib.edl");
        File.WriteAllText(edl, Library);
        var sizes = _cli.Path("sizes.txt");
        File.WriteAllText(sizes, "# SDK types\nsgx_report_t=432\n\nsgx_target_info_t = 512   # by value\n");

        Assert.Contains("no errors", _cli.Ok("edl", "check", edl, "--library", "--foreign-types", sizes));
    }

    [Theory]
    [InlineData("--foreign-type", "sgx_report_t")]
    [InlineData("--foreign-type", "sgx_report_t=-1")]
    [InlineData("--foreign-type", "1bad=4")]
    [InlineData("--foreign-const", "X=ten")]
    public void Malformed_name_value_switch_is_a_usage_error_naming_it(string option, string value)
    {
        var edl = _cli.Path("lib.edl");
        File.WriteAllText(edl, Library);

        var (code, _, error) = _cli.Run("edl", "check", edl, option, value);

        Assert.Equal(SecGearCli.UsageError, code);
        Assert.Contains(option, error);
    }

    [Fact]
    public void Warnaserror_turns_warnings_into_a_failure()
    {
        var edl = _cli.Path("warn.edl");
        File.WriteAllText(edl, "enclave { enum e { A = FROM_HEADER }; trusted { public void f(void); }; };");

        Assert.Contains("no errors", _cli.Ok("edl", "check", edl));
        var (code, _, error) = _cli.Run("edl", "check", edl, "-W");

        Assert.Equal(SecGearCli.Failure, code);
        Assert.Contains("error SG0346", error);
    }

    [Fact]
    public void Open_enclave_dialect_and_import_order_are_switches()
    {
        Directory.CreateDirectory(Path.Combine(_cli.Directory, "a"));
        Directory.CreateDirectory(Path.Combine(_cli.Directory, "b"));
        File.WriteAllText(Path.Combine(_cli.Directory, "a", "lib.edl"), "enclave { untrusted { void from_a(int fds[2]); }; };");
        File.WriteAllText(Path.Combine(_cli.Directory, "b", "lib.edl"), "enclave { untrusted { void from_b(); void other(); }; };");
        var edl = _cli.Path("root.edl");
        File.WriteAllText(edl, "enclave { from \"lib.edl\" import *; trusted { public void f(); }; };");
        string a = Path.Combine(_cli.Directory, "a"), b = Path.Combine(_cli.Directory, "b");

        var intel = _cli.Ok("edl", "check", edl, "-I", a, "-I", b);
        var (strict, _, strictError) = _cli.Run("edl", "check", edl, "-I", a, "-I", b, "--import-order", "first-first");
        var oe = _cli.Ok("edl", "check", edl, "-I", a, "-I", b, "--import-order", "first-first", "--dialect", "openenclave");

        Assert.Contains("root: 1 ECALLs, 2 OCALLs", intel);
        Assert.Equal(SecGearCli.Failure, strict);
        Assert.Contains("SG0301", strictError);
        Assert.Contains("root: 1 ECALLs, 1 OCALLs", oe);
    }

    [Fact]
    public void Gen_without_a_namespace_uses_the_file_name_in_pascal_case_and_writes_colliding_names()
    {
        var edl = _cli.Path("event.edl");
        File.WriteAllText(edl, "enclave { trusted { public int Insertavl(int k); public int Insertavl_(int k); }; };");
        var output = Path.Combine(_cli.Directory, "gen");

        _cli.Ok("edl", "gen", edl, "--side", "both", "--out", output);

        string host = File.ReadAllText(Directory.GetFiles(output, "*.Host.g.cs").Single());
        Assert.Contains("namespace Event;", host);
        Assert.Contains(" Insertavl_(", host);
    }
}
