using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace SecGear.Conventions;

/// <summary>
/// SGC0001: a mutable static field (not const, not readonly) that is private or internal is named as dotnet/runtime
/// names it: <c>t_camelCase</c> when it is <c>[ThreadStatic]</c>, <c>s_camelCase</c> otherwise. The prefix tells a
/// reader at every use that the value is shared by all threads (s_) or private to one (t_). An .editorconfig naming
/// rule cannot see the attribute, so this analyzer checks it; .editorconfig sets its severity.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class StaticFieldNamingAnalyzer : DiagnosticAnalyzer
{
    /// <summary>The diagnostic id.</summary>
    public const string Id = "SGC0001";

    private static readonly DiagnosticDescriptor Rule = new(
        Id,
        "Mutable static field naming",
        "Mutable static field '{0}' should be named '{1}' ({2})",
        "SecGear.Conventions",
        DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Mutable static fields are s_camelCase, [ThreadStatic] ones t_camelCase (dotnet/runtime's convention).");

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSymbolAction(Analyze, SymbolKind.Field);
    }

    private static void Analyze(SymbolAnalysisContext context)
    {
        var field = (IFieldSymbol)context.Symbol;
        if (!field.IsStatic || field.IsConst || field.IsReadOnly || field.IsImplicitlyDeclared
            || field.DeclaredAccessibility is not (Accessibility.Private or Accessibility.Internal))
        {
            return;
        }

        bool threadStatic = false;
        foreach (var attribute in field.GetAttributes())
        {
            if (attribute.AttributeClass is { Name: "ThreadStaticAttribute", ContainingNamespace.Name: "System" })
            {
                threadStatic = true;
            }
        }

        string prefix = threadStatic ? "t_" : "s_";
        string name = field.Name;
        if (name.StartsWith(prefix, System.StringComparison.Ordinal) && name.Length > 2 && char.IsLower(name[2]))
        {
            return;
        }

        string stem = name.TrimStart('_');
        if (stem.Length > 2 && (stem.StartsWith("s_", System.StringComparison.Ordinal) || stem.StartsWith("t_", System.StringComparison.Ordinal)))
        {
            stem = stem.Substring(2);
        }

        string expected = prefix + (stem.Length == 0 ? "value" : char.ToLowerInvariant(stem[0]) + stem.Substring(1));
        context.ReportDiagnostic(Diagnostic.Create(
            Rule,
            field.Locations[0],
            name,
            expected,
            threadStatic ? "[ThreadStatic]: t_camelCase" : "shared by every thread: s_camelCase"));
    }
}
