using Microsoft.CodeAnalysis.Diagnostics;

namespace SecGear.Analyzers;

/// <summary>Which compilations are enclaves: those whose project sets <c>SecGearIsEnclave</c> (build/SecGear.Enclave.targets does).</summary>
internal static class EnclaveProject
{
    /// <summary>The MSBuild property, made visible to the compiler by build/SecGear.Enclave.targets.</summary>
    public const string Property = "build_property.SecGearIsEnclave";

    /// <summary>
    /// True for an enclave project. The analyzers ship next to the generator, so host projects load them too; gating on
    /// the property (not on references) keeps a project that generates both sides for tests free of enclave rules.
    /// </summary>
    public static bool Is(AnalyzerOptions options) =>
        options.AnalyzerConfigOptionsProvider.GlobalOptions.TryGetValue(Property, out string? value)
        && string.Equals(value?.Trim(), "true", System.StringComparison.OrdinalIgnoreCase);
}
