using System.Diagnostics.CodeAnalysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace SecGear.Generator.Tests;

/// <summary>MSBuild-visible properties and item metadata, as the compiler would pass them from .editorconfig.</summary>
internal sealed class TestAnalyzerConfigOptions(Dictionary<string, string> values) : AnalyzerConfigOptions
{
    public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
}

/// <summary>Global properties plus per-file AdditionalFiles metadata.</summary>
internal sealed class TestAnalyzerConfigOptionsProvider(Dictionary<string, string> global, Dictionary<string, Dictionary<string, string>> perFile)
    : AnalyzerConfigOptionsProvider
{
    private static readonly TestAnalyzerConfigOptions Empty = new([]);

    public override AnalyzerConfigOptions GlobalOptions { get; } = new TestAnalyzerConfigOptions(global);

    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Empty;

    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) =>
        perFile.TryGetValue(textFile.Path, out Dictionary<string, string>? values) ? new TestAnalyzerConfigOptions(values) : Empty;
}
