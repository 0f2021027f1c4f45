using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using SecGear.Conventions;

namespace SecGear.Analyzers.Tests;

/// <summary>SGC0001, the repository's convention for mutable static fields: s_camelCase, [ThreadStatic] t_camelCase.</summary>
public sealed class StaticFieldNamingAnalyzerTests
{
    [Fact]
    public void Fields_named_by_the_convention_and_fields_it_does_not_cover_are_accepted()
    {
        Assert.Empty(Analyze("""
            using System;
            internal sealed class Fine
            {
                private static int s_count;
                internal static string? s_name;
                [ThreadStatic] private static int t_depth;
                private static readonly int Limit = 3;
                private const int Max = 4;
                public static int Public;
                private int _instance;
                public static int Use(Fine? f) => s_count + t_depth + Limit + Max + Public + (s_name?.Length ?? 0) + (f?._instance ?? 0);
            }
            """));
    }

    [Fact]
    public void A_mutable_static_field_without_s_prefix_is_reported_with_the_expected_name()
    {
        var diagnostic = Assert.Single(Analyze("internal static class C { private static int _count; public static int Get() => _count; }"));
        Assert.Equal(StaticFieldNamingAnalyzer.Id, diagnostic.Id);
        Assert.Contains("'_count' should be named 's_count'", diagnostic.GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_thread_static_field_needs_t_and_a_shared_one_must_not_use_it()
    {
        string[] messages = [.. Analyze("""
            using System;
            internal static class C
            {
                [ThreadStatic] private static int s_depth;
                private static int t_shared;
                public static int Get() => s_depth + t_shared;
            }
            """).Select(d => d.GetMessage())];

        Assert.Equal(2, messages.Length);
        Assert.Contains(messages, m => m.Contains("'s_depth' should be named 't_depth'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("'t_shared' should be named 's_shared'", StringComparison.Ordinal));
    }

    private static Diagnostic[] Analyze(string source)
    {
        CSharpCompilation compilation = CSharpCompilation.Create(
            "Conventions",
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
            Net100.References.All,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        return [.. compilation.WithAnalyzers([new StaticFieldNamingAnalyzer()]).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult()];
    }
}
