using System;
using System.Collections.Generic;
using SecGear.Edl;
using SecGear.Edl.Model;

namespace SecGear.Generator;

/// <summary>
/// The EDL-to-C# generator without Roslyn or MSBuild: the <c>secgear edl gen</c> command and tests call it directly;
/// the source generator calls it for every EDL file in a build. It plans the contract once
/// (<see cref="ContractPlanner"/>), then the emitters write the shared, type, host and enclave files from the plan.
/// </summary>
public static class EdlCodeGenerator
{
    /// <summary>Generates the C# files for <paramref name="contract"/>.</summary>
    /// <param name="contract">A checked contract (from <c>EdlCompiler.Compile</c>).</param>
    /// <param name="side">Which side(s) to generate; the shared file comes once whatever the side.</param>
    /// <param name="namespaceName">Namespace of the generated types (see <see cref="DefaultNamespace"/>).</param>
    /// <returns>The files, or SG10xx diagnostics (and no files) when the contract has no C# mapping.</returns>
    public static EdlGenerationResult Generate(EdlContract contract, EdlSide side, string namespaceName)
    {
        if (contract == null)
        {
            throw new ArgumentNullException(nameof(contract));
        }

        if (namespaceName == null)
        {
            throw new ArgumentNullException(nameof(namespaceName));
        }

        ContractPlan? plan = ContractPlanner.Plan(contract, namespaceName, out IReadOnlyList<EdlDiagnostic> diagnostics);
        var files = new List<GeneratedSourceFile>();
        if (plan == null || side == EdlSide.None)
        {
            return new EdlGenerationResult(files, diagnostics);
        }

        files.Add(new GeneratedSourceFile(plan.Prefix + ".Contract.g.cs", ContractEmitter.Emit(plan)));
        TypeEmitter.Emit(plan, files);
        if ((side & EdlSide.Host) != 0)
        {
            files.Add(new GeneratedSourceFile(plan.Prefix + ".Host.g.cs", HostEmitter.Emit(plan)));
        }

        if ((side & EdlSide.Enclave) != 0)
        {
            files.Add(new GeneratedSourceFile(plan.Prefix + ".Enclave.g.cs", EnclaveEmitter.Emit(plan)));
        }

        return new EdlGenerationResult(files, diagnostics);
    }

    /// <summary>
    /// The namespace used when none is given: the contract name in PascalCase (<c>hello_world.edl</c> →
    /// <c>HelloWorld</c>), the form .NET namespaces take.
    /// </summary>
    public static string DefaultNamespace(EdlContract contract)
    {
        if (contract == null)
        {
            throw new ArgumentNullException(nameof(contract));
        }

        return Naming.Pascal(contract.Name);
    }
}
