using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace SecGear.Analyzers;

/// <summary>
/// APIs enclave code must not use: the untrusted host runtime's types (an error), and APIs that reach outside the TEE
/// or cannot work in one (a warning naming the OCALL alternative). See <see cref="OutsideTeeApis"/> for the list.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class EnclaveApiAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc />
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.HostOnlyApi,
        DiagnosticDescriptors.FileSystem,
        DiagnosticDescriptors.Process,
        DiagnosticDescriptors.Network,
        DiagnosticDescriptors.Exit,
        DiagnosticDescriptors.Console);

    /// <inheritdoc />
    public override void Initialize(AnalysisContext context)
    {
        // Generated code (the EDL generator's) is not the enclave author's to change.
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            if (!EnclaveProject.Is(start.Options))
            {
                return;
            }

            start.RegisterSyntaxNodeAction(HostOnlyType, SyntaxKind.IdentifierName, SyntaxKind.GenericName);
            start.RegisterOperationAction(
                OutsideTee,
                OperationKind.Invocation,
                OperationKind.ObjectCreation,
                OperationKind.PropertyReference,
                OperationKind.FieldReference,
                OperationKind.MethodReference,
                OperationKind.EventReference);
        });
    }

    private static void HostOnlyType(SyntaxNodeAnalysisContext context)
    {
        if (context.SemanticModel.GetSymbolInfo(context.Node, context.CancellationToken).Symbol is INamedTypeSymbol type
            && type.ContainingAssembly is { } assembly
            && OutsideTeeApis.IsHostOnlyAssembly(assembly.Name))
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.HostOnlyApi, context.Node.GetLocation(), type.ToDisplayString(), assembly.Name));
        }
    }

    private static void OutsideTee(OperationAnalysisContext context)
    {
        ISymbol? member = context.Operation switch
        {
            IInvocationOperation i => i.TargetMethod,
            IObjectCreationOperation c => c.Constructor,
            IPropertyReferenceOperation p => p.Property,
            IFieldReferenceOperation f => f.Field,
            IMethodReferenceOperation m => m.Method,
            IEventReferenceOperation e => e.Event,
            _ => null,
        };

        // Instance members of a flagged type are reported where the instance was made (or got), not at every use.
        if (member?.ContainingType is not { } type || (!member.IsStatic && context.Operation is not IObjectCreationOperation))
        {
            return;
        }

        DiagnosticDescriptor? rule = OutsideTeeApis.RuleFor(type, member);
        if (rule is not null)
        {
            string name = context.Operation is IObjectCreationOperation ? "new " + type.ToDisplayString() : type.ToDisplayString() + "." + member.Name;
            context.ReportDiagnostic(Diagnostic.Create(rule, context.Operation.Syntax.GetLocation(), name));
        }
    }
}
