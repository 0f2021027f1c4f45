using System.Collections.Immutable;
using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using SecGear.Abi;

namespace SecGear.Generator.Tests;

/// <summary>Compiles generated code in memory the way a strict consumer would (nullable on, every warning an error).</summary>
internal static class RoslynCompile
{
    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest, DocumentationMode.Diagnose);

    private static readonly ImmutableArray<MetadataReference> References =
    [
        .. Net100.References.All,
        MetadataReference.CreateFromFile(typeof(WireBuffer).Assembly.Location),
    ];

    public static CSharpCompilation Create(IEnumerable<string> sources, string assemblyName = "Consumer") =>
        CSharpCompilation.Create(
            assemblyName,
            sources.Select(s => CSharpSyntaxTree.ParseText(s, ParseOptions)),
            References,
            new CSharpCompilationOptions(
                OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable,
                warningLevel: 9999,
                generalDiagnosticOption: ReportDiagnostic.Error));

    /// <summary>Every diagnostic that is not hidden, formatted for an assertion message.</summary>
    public static string[] Problems(Compilation compilation) =>
        compilation.GetDiagnostics()
            .Where(d => d.Severity != DiagnosticSeverity.Hidden)
            .Select(d => d.ToString())
            .ToArray();

    public static string[] Problems(EdlGenerationResult result, params string[] extraSources) =>
        Problems(Create(result.Files.Select(f => f.SourceText).Concat(extraSources)));
}
