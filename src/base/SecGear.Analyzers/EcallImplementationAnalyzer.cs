using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;

namespace SecGear.Analyzers;

/// <summary>
/// The checks the trusted runtime makes at <c>Enclave.Create</c> (EnclaveRuntime.LoadContracts), made at build time:
/// every contract the enclave declares with <c>[assembly: EnclaveContract]</c> needs exactly one public,
/// non-abstract class implementing its ECALL interface, with a public () or (EnclaveContext) constructor.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class EcallImplementationAnalyzer : DiagnosticAnalyzer
{
    private const string ContractAttribute = "SecGear.Abi.EnclaveContractAttribute";
    private const string EnclaveContext = "SecGear.Trusted.Runtime.EnclaveContext";

    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.MissingImplementation,
        DiagnosticDescriptors.NonPublicImplementation,
        DiagnosticDescriptors.DuplicateImplementation,
        DiagnosticDescriptors.NoUsableConstructor);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        // The contract attribute and the factory are generated; the implementations are the user's.
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(Start);
    }

    private static void Start(CompilationStartAnalysisContext context)
    {
        if (!EnclaveProject.Is(context.Options))
        {
            return;
        }

        List<INamedTypeSymbol> interfaces = EcallInterfaces(context.Compilation, context.CancellationToken);
        if (interfaces.Count == 0)
        {
            return;
        }

        var implementations = new ConcurrentBag<(INamedTypeSymbol Interface, INamedTypeSymbol Class)>();
        context.RegisterSymbolAction(
            symbolContext =>
            {
                if (symbolContext.Symbol is not INamedTypeSymbol { TypeKind: TypeKind.Class, IsAbstract: false } type)
                {
                    return;
                }

                foreach (INamedTypeSymbol iface in interfaces)
                {
                    if (type.AllInterfaces.Contains(iface, SymbolEqualityComparer.Default))
                    {
                        implementations.Add((iface, type));
                    }
                }
            },
            SymbolKind.NamedType);

        context.RegisterCompilationEndAction(end =>
        {
            INamedTypeSymbol? enclaveContext = end.Compilation.GetTypeByMetadataName(EnclaveContext);
            foreach (INamedTypeSymbol iface in interfaces)
            {
                Report(end, iface, [.. implementations.Where(i => SymbolEqualityComparer.Default.Equals(i.Interface, iface)).Select(i => i.Class)], enclaveContext);
            }
        });
    }

    private static void Report(CompilationAnalysisContext context, INamedTypeSymbol iface, INamedTypeSymbol[] classes, INamedTypeSymbol? enclaveContext)
    {
        string ifaceName = iface.ToDisplayString();
        INamedTypeSymbol[] exported = [.. classes.Where(IsExported)];
        if (classes.Length == 0)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MissingImplementation, Location.None, ifaceName));
        }
        else if (exported.Length == 0)
        {
            foreach (INamedTypeSymbol type in classes)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NonPublicImplementation, LocationOf(type), type.ToDisplayString(), ifaceName));
            }
        }
        else if (exported.Length > 1)
        {
            foreach (INamedTypeSymbol type in exported)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DuplicateImplementation, LocationOf(type), type.ToDisplayString(), exported.Length, ifaceName));
            }
        }
        else if (!HasUsableConstructor(exported[0], enclaveContext))
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NoUsableConstructor, LocationOf(exported[0]), exported[0].ToDisplayString()));
        }
    }

    /// <summary>The ECALL interface of every contract the compilation's assembly declares.</summary>
    private static List<INamedTypeSymbol> EcallInterfaces(Compilation compilation, System.Threading.CancellationToken ct)
    {
        var result = new List<INamedTypeSymbol>();
        INamedTypeSymbol? attribute = compilation.GetTypeByMetadataName(ContractAttribute);
        if (attribute is null)
        {
            return result;
        }

        foreach (AttributeData data in compilation.Assembly.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(data.AttributeClass, attribute)
                && data.ConstructorArguments.Length == 1
                && data.ConstructorArguments[0].Value is INamedTypeSymbol factory
                && EcallInterfaceOf(factory, ct) is { } iface
                && !result.Contains(iface, SymbolEqualityComparer.Default))
            {
                result.Add(iface);
            }
        }

        return result;
    }

    /// <summary>
    /// The interface the generated factory names in <c>EcallInterface =&gt; typeof(I…Ecalls)</c>, looked up in the
    /// factory's namespace (the generator emits both there).
    /// </summary>
    private static INamedTypeSymbol? EcallInterfaceOf(INamedTypeSymbol factory, System.Threading.CancellationToken ct)
    {
        foreach (IPropertySymbol property in factory.GetMembers("EcallInterface").OfType<IPropertySymbol>())
        {
            foreach (SyntaxReference reference in property.DeclaringSyntaxReferences)
            {
                TypeOfExpressionSyntax? typeOf = reference.GetSyntax(ct).DescendantNodes().OfType<TypeOfExpressionSyntax>().FirstOrDefault();
                string? name = typeOf?.Type switch
                {
                    SimpleNameSyntax simple => simple.Identifier.ValueText,
                    QualifiedNameSyntax qualified => qualified.Right.Identifier.ValueText,
                    AliasQualifiedNameSyntax alias => alias.Name.Identifier.ValueText,
                    _ => null,
                };
                INamedTypeSymbol? iface = name is null
                    ? null
                    : factory.ContainingNamespace.GetTypeMembers(name).FirstOrDefault(t => t.TypeKind == TypeKind.Interface);
                if (iface is not null)
                {
                    return iface;
                }
            }
        }

        return null;
    }

    /// <summary>What Assembly.GetExportedTypes returns: public, and nested only in public types.</summary>
    private static bool IsExported(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
        {
            if (t.DeclaredAccessibility != Accessibility.Public)
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasUsableConstructor(INamedTypeSymbol type, INamedTypeSymbol? enclaveContext) =>
        type.InstanceConstructors.Any(c => c.DeclaredAccessibility == Accessibility.Public
            && (c.Parameters.Length == 0
                || (c.Parameters.Length == 1 && SymbolEqualityComparer.Default.Equals(c.Parameters[0].Type, enclaveContext))));

    private static Location LocationOf(INamedTypeSymbol type) => type.Locations.FirstOrDefault(l => l.IsInSource) ?? Location.None;
}
