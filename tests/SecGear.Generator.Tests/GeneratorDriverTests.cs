using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace SecGear.Generator.Tests;

/// <summary>The generator as the compiler runs it: AdditionalFiles + MSBuild options in, sources and diagnostics out.</summary>
public class GeneratorDriverTests
{
    private const string Hello = """
        enclave {
            trusted {
                public int ecall_get_greeting([in, string] const char* name, [out, size=len] char* buf, size_t len);
            };
            untrusted {
                void ocall_print([in, string] const char* text);
            };
        };
        """;

    [Fact]
    public void Hello_edl_generates_all_sides_and_the_consumer_compiles_with_zero_diagnostics()
    {
        Run run = Generate([("/p/hello.edl", Hello, null)]);

        Assert.Empty(run.Diagnostics);
        Assert.Equal(["Demo.App.Hello.Contract.g.cs", "Demo.App.Hello.Enclave.g.cs", "Demo.App.Hello.Host.g.cs"], run.HintNames);
        Assert.Empty(RoslynCompile.Problems(run.Output));
        Assert.NotNull(run.Output.GetTypeByMetadataName("Demo.App.HelloProxy"));
    }

    [Fact]
    public void Edl_error_is_reported_in_the_edl_file_at_its_line_and_column()
    {
        const string bad = """
            enclave {
                trusted {
                    public void ecall_bad(int* p);
                };
            };
            """;

        Run run = Generate([("/p/bad.edl", bad, null)]);

        Diagnostic d = Assert.Single(run.Diagnostics, x => x.Severity == DiagnosticSeverity.Error);
        FileLinePositionSpan where = d.Location.GetLineSpan();
        Assert.Equal("/p/bad.edl", where.Path);
        Assert.Equal(2, where.StartLinePosition.Line);
        Assert.StartsWith("SG0", d.Id, StringComparison.Ordinal);
        Assert.StartsWith("/p/bad.edl(3,", d.ToString(), StringComparison.Ordinal);
        Assert.Empty(run.HintNames);
    }

    [Fact]
    public void Mapping_error_from_the_emitter_is_reported_in_the_edl_file()
    {
        const string clash = """
            enclave {
                struct s {
                    int get_value;
                    int get__value;
                };
                trusted { public void f(void); };
            };
            """;

        Run run = Generate([("/p/clash.edl", clash, null)]);

        Diagnostic d = Assert.Single(run.Diagnostics, x => x.Id == "SG1002");
        Assert.Equal("/p/clash.edl", d.Location.GetLineSpan().Path);
        Assert.Equal(3, d.Location.GetLineSpan().StartLinePosition.Line);
    }

    [Fact]
    public void Imports_are_served_from_additional_files_through_search_paths()
    {
        const string main = """
            enclave {
                from "common.edl" import *;
                trusted {
                    public void ecall_use(struct shared_point p);
                };
            };
            """;
        const string common = """
            enclave {
                struct shared_point { int x; int y; };
                untrusted {
                    void ocall_common(void);
                };
            };
            """;

        Run run = Generate(
            [("/p/main.edl", main, null), ("/p/lib/common.edl", common, "None")],
            new() { ["build_property.SecGearEdlSearchPaths"] = "lib" });

        Assert.Empty(run.Diagnostics);
        Assert.Equal(["Demo.App.Main.Contract.g.cs", "Demo.App.Main.Enclave.g.cs", "Demo.App.Main.Host.g.cs", "Demo.App.SharedPoint.EdlType.g.cs"], run.HintNames);
        Assert.NotNull(run.Output.GetTypeByMetadataName("Demo.App.SharedPoint"));
        Assert.Empty(RoslynCompile.Problems(run.Output));
    }

    [Fact]
    public void Types_imported_by_two_contracts_are_emitted_once()
    {
        const string common = "enclave { struct shared_point { int x; int y; }; };";
        const string first = """
            enclave {
                from "common.edl" import *;
                trusted { public void first(struct shared_point p); };
            };
            """;
        const string second = """
            enclave {
                from "common.edl" import *;
                trusted { public struct shared_point second(void); };
            };
            """;

        Run run = Generate([("/p/first.edl", first, null), ("/p/second.edl", second, null), ("/p/common.edl", common, "None")]);

        Assert.Empty(run.Diagnostics);
        Assert.Single(run.HintNames, h => h == "Demo.App.SharedPoint.EdlType.g.cs");
        Assert.Empty(RoslynCompile.Problems(run.Output));
    }

    [Fact]
    public void Same_type_name_defined_differently_by_two_contracts_is_SG1002()
    {
        const string first = "enclave { struct pair { int a; }; trusted { public void f(struct pair p); }; };";
        const string second = "enclave { struct pair { long a; }; trusted { public void g(struct pair p); }; };";

        Run run = Generate([("/p/first.edl", first, null), ("/p/second.edl", second, null)]);

        Diagnostic d = Assert.Single(run.Diagnostics);
        Assert.Equal("SG1002", d.Id);
        Assert.Contains("Pair", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_import_is_an_edl_diagnostic_at_the_import()
    {
        const string main = """
            enclave {
                from "nowhere.edl" import *;
                trusted { public void f(void); };
            };
            """;

        Run run = Generate([("/p/main.edl", main, null)]);

        Diagnostic d = Assert.Single(run.Diagnostics, x => x.Severity == DiagnosticSeverity.Error);
        Assert.Equal(1, d.Location.GetLineSpan().StartLinePosition.Line);
        Assert.Contains("nowhere.edl", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void Item_side_and_namespace_metadata_choose_what_is_generated_and_where()
    {
        Run run = Generate([("/p/hello.edl", Hello, "Host")], perFileNamespace: "Other.Place");

        Assert.Empty(run.Diagnostics);
        Assert.Equal(["Other.Place.Hello.Contract.g.cs", "Other.Place.Hello.Host.g.cs"], run.HintNames);
        Assert.Empty(RoslynCompile.Problems(run.Output));
    }

    [Fact]
    public void Project_wide_side_applies_when_the_item_says_nothing()
    {
        Run run = Generate([("/p/hello.edl", Hello, null)], new() { ["build_property.SecGearEdlSide"] = "Enclave" });

        Assert.Equal(["Demo.App.Hello.Contract.g.cs", "Demo.App.Hello.Enclave.g.cs"], run.HintNames);
    }

    [Fact]
    public void Unknown_side_is_SG1003()
    {
        Run run = Generate([("/p/hello.edl", Hello, "Server")]);

        Diagnostic d = Assert.Single(run.Diagnostics);
        Assert.Equal("SG1003", d.Id);
        Assert.Empty(run.HintNames);
    }

    [Fact]
    public void Two_files_with_the_same_contract_name_in_one_namespace_are_SG1007()
    {
        Run run = Generate([("/p/a/hello.edl", Hello, null), ("/p/b/hello.edl", Hello, null)]);

        Assert.Contains(run.Diagnostics, d => d.Id == "SG1007");
        Assert.Equal(3, run.HintNames.Length);
    }

    [Fact]
    public void Defines_select_ifdef_branches()
    {
        const string text = """
            enclave {
                trusted {
                    public void always(void);
            #ifdef WITH_EXTRA
                    public void extra(void);
            #endif
                };
            };
            """;

        Run without = Generate([("/p/opt.edl", text, null)]);
        Run with = Generate([("/p/opt.edl", text, null)], new() { ["build_property.SecGearEdlDefines"] = "OTHER;WITH_EXTRA" });

        Assert.Empty(without.Output.GetTypeByMetadataName("Demo.App.OptProxy")!.GetMembers("Extra"));
        Assert.Single(with.Output.GetTypeByMetadataName("Demo.App.OptProxy")!.GetMembers("Extra"));
    }

    [Fact]
    public void Foreign_type_sizes_come_from_the_SecGearEdlForeignTypes_property()
    {
        const string text = """
            enclave {
                include "sgx_report.h"
                trusted {
                    public void ecall_report([out] sgx_report_t* report);
                };
            };
            """;

        Run without = Generate([("/p/rep.edl", text, null)]);
        Run with = Generate([("/p/rep.edl", text, null)], new() { ["build_property.SecGearEdlForeignTypes"] = "sgx_report_t=432; other_t=4" });

        Assert.Contains(without.Diagnostics, d => d.Id == "SG0343");
        Assert.All(with.Diagnostics, d => Assert.Equal("SG0342", d.Id));
        Assert.Contains("Demo.App.SgxReportT.EdlType.g.cs", with.HintNames);
        Assert.Empty(RoslynCompile.Problems(with.Output));
    }

    [Fact]
    public void Csharp_edit_reuses_the_cached_edl_output_and_an_edl_edit_reruns_it()
    {
        Run first = Generate([("/p/hello.edl", Hello, null)]);
        GeneratorDriver afterCsharpEdit = first.Driver.RunGenerators(first.Input.AddSyntaxTrees(CSharpSyntaxTree.ParseText("class Unrelated {}", RoslynCompile.ParseOptions)));
        GeneratorDriver afterEdlEdit = first.Driver
            .ReplaceAdditionalText(first.Texts[0], new InMemoryAdditionalText("/p/hello.edl", Hello.Replace("ocall_print", "ocall_show", StringComparison.Ordinal)))
            .RunGenerators(first.Input);

        IncrementalStepRunReason[] cached = Steps(afterCsharpEdit, "SecGearEdlOutput");
        Assert.NotEmpty(cached);
        Assert.All(cached, r => Assert.Equal(IncrementalStepRunReason.Cached, r));
        Assert.Contains(IncrementalStepRunReason.Modified, Steps(afterEdlEdit, "SecGearEdlOutput"));
    }

    private static IncrementalStepRunReason[] Steps(GeneratorDriver driver, string step) =>
        driver.GetRunResult().Results[0].TrackedSteps[step].SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray();

    private sealed record Run(GeneratorDriver Driver, Compilation Input, Compilation Output, Diagnostic[] Diagnostics, string[] HintNames, AdditionalText[] Texts);

    private static Run Generate((string Path, string Text, string? Side)[] files, Dictionary<string, string>? global = null, string? perFileNamespace = null)
    {
        var globalOptions = new Dictionary<string, string>
        {
            ["build_property.RootNamespace"] = "Demo.App",
            ["build_property.MSBuildProjectDirectory"] = "/p",
        };
        foreach (KeyValuePair<string, string> kv in global ?? [])
        {
            globalOptions[kv.Key] = kv.Value;
        }

        var perFile = new Dictionary<string, Dictionary<string, string>>();
        foreach ((string path, _, string? side) in files)
        {
            var metadata = new Dictionary<string, string>();
            if (side is not null)
            {
                metadata["build_metadata.AdditionalFiles.SecGearSide"] = side;
            }

            if (perFileNamespace is not null)
            {
                metadata["build_metadata.AdditionalFiles.SecGearNamespace"] = perFileNamespace;
            }

            perFile[path] = metadata;
        }

        AdditionalText[] texts = files.Select(f => (AdditionalText)new InMemoryAdditionalText(f.Path, f.Text)).ToArray();
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new EdlSourceGenerator().AsSourceGenerator()],
            texts,
            RoslynCompile.ParseOptions,
            new TestAnalyzerConfigOptionsProvider(globalOptions, perFile),
            new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        Compilation input = RoslynCompile.Create([]);
        driver = driver.RunGeneratorsAndUpdateCompilation(input, out Compilation output, out var diagnostics);
        string[] hints = driver.GetRunResult().Results[0].GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal).ToArray();
        return new Run(driver, input, output, [.. diagnostics], hints, texts);
    }
}
