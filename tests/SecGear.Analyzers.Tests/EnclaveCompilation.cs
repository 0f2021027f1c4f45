using System.Collections.Immutable;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using SecGear.Edl;
using SecGear.Generator;

namespace SecGear.Analyzers.Tests;

/// <summary>
/// An enclave project compiled in memory the way the build compiles one: the EDL generator's real enclave-side output,
/// the user's source, references to the trusted (and host) runtime, and the <c>SecGearIsEnclave</c> property.
/// </summary>
internal static class EnclaveCompilation
{
    /// <summary>A contract with one ECALL, like the HelloWorld sample's.</summary>
    public const string Edl = """
        enclave {
            trusted {
                public int add(int a, int b);
            };
            untrusted {
                void print_message([in, string] const char* message);
            };
        };
        """;

    private static readonly ImmutableArray<MetadataReference> References =
    [
        .. Net100.References.All,
        MetadataReference.CreateFromFile(typeof(SecGear.Abi.WireBuffer).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(SecGear.Trusted.Runtime.EnclaveContext).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(SecGear.Host.Enclave).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(Microsoft.Extensions.Logging.ILogger).Assembly.Location),
    ];

    /// <summary>Compiles <paramref name="source"/> with the generated enclave side of <paramref name="edl"/> and returns the SG20xx diagnostics.</summary>
    public static Diagnostic[] Analyze(string source, bool isEnclave = true, string edl = Edl)
    {
        EdlCompilation contract = EdlCompiler.Compile("/demo/calc.edl", edl);
        Assert.False(contract.HasErrors, string.Join("\n", contract.Diagnostics));
        EdlGenerationResult generated = EdlCodeGenerator.Generate(contract.Contract!, EdlSide.Enclave, "Demo");
        Assert.Empty(generated.Diagnostics);

        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Demo.Enclave",
            [
                .. generated.Files.Select(f => CSharpSyntaxTree.ParseText(f.SourceText, parse, "/generated/" + f.HintName)),
                CSharpSyntaxTree.ParseText(source, parse, "/demo/Enclave.cs"),
            ],
            References,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        Diagnostic[] compileErrors = [.. compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)];
        Assert.True(compileErrors.Length == 0, string.Join("\n", compileErrors.Select(d => d.ToString())));

        var options = new AnalyzerOptions([], new OptionsProvider(isEnclave ? new Dictionary<string, string> { ["build_property.SecGearIsEnclave"] = "true" } : []));
        ImmutableArray<Diagnostic> diagnostics = compilation
            .WithAnalyzers([new EcallImplementationAnalyzer(), new EnclaveApiAnalyzer()], options)
            .GetAnalyzerDiagnosticsAsync()
            .GetAwaiter()
            .GetResult();
        return [.. diagnostics.OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id, StringComparer.Ordinal)];
    }

    /// <summary>The ids, in source order.</summary>
    public static string[] Ids(string source, bool isEnclave = true) => [.. Analyze(source, isEnclave).Select(d => d.Id)];

    private sealed class OptionsProvider(Dictionary<string, string> values) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(values);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => GlobalOptions;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => GlobalOptions;
    }

    private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) =>
            values.TryGetValue(key, out value);
    }
}
