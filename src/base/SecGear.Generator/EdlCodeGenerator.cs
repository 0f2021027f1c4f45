using System;
using SecGear.Edl.Model;

namespace SecGear.Generator;

/// <summary>
/// The EDL-to-C# emitter without Roslyn or MSBuild: the <c>secgear edl gen</c> command and tests call it directly;
/// the source generator calls it for every EDL file in a build.
/// </summary>
public static class EdlCodeGenerator
{
    /// <summary>Generates the C# files for <paramref name="contract"/>.</summary>
    /// <param name="contract">A checked contract (from <c>EdlCompiler.Compile</c>).</param>
    /// <param name="side">Which side(s) to generate; the shared file comes once whatever the side.</param>
    /// <param name="namespaceName">Namespace of the generated types.</param>
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

        return Emitter.Run(contract, side, namespaceName);
    }
}
