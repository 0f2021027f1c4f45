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
