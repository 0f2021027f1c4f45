using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace SecGear.Generator;

/// <summary>Roslyn descriptors for the generator's own diagnostics (SG10xx) and for EDL compiler diagnostics.</summary>
internal static class DiagnosticDescriptors
{
    private const string GeneratorCategory = "SecGear.Generator";
    private const string EdlCategory = "SecGear.Edl";

    public static readonly DiagnosticDescriptor Unsupported = new DiagnosticDescriptor(
        DiagnosticIds.Unsupported, "EDL construct has no C# mapping", "{0}", GeneratorCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NameCollision = new DiagnosticDescriptor(
        DiagnosticIds.NameCollision, "EDL names collide in C#", "{0}", GeneratorCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidSide = new DiagnosticDescriptor(
        DiagnosticIds.InvalidSide, "Invalid SecGearSide", "{0}", GeneratorCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InternalError = new DiagnosticDescriptor(
        DiagnosticIds.InternalError, "SecGear generator failed", "{0}", GeneratorCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor BadSizeReference = new DiagnosticDescriptor(
        DiagnosticIds.BadSizeReference, "Bad size or count reference", "{0}", GeneratorCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor InvalidNamespace = new DiagnosticDescriptor(
        DiagnosticIds.InvalidNamespace, "Invalid namespace for generated code", "{0}", GeneratorCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor DuplicateContract = new DiagnosticDescriptor(
        DiagnosticIds.DuplicateContract, "Duplicate contract", "{0}", GeneratorCategory, DiagnosticSeverity.Error, isEnabledByDefault: true);

    private static readonly Dictionary<string, DiagnosticDescriptor> Own = new Dictionary<string, DiagnosticDescriptor>(System.StringComparer.Ordinal)
    {
        [DiagnosticIds.Unsupported] = Unsupported,
        [DiagnosticIds.NameCollision] = NameCollision,
        [DiagnosticIds.InvalidSide] = InvalidSide,
        [DiagnosticIds.InternalError] = InternalError,
        [DiagnosticIds.BadSizeReference] = BadSizeReference,
        [DiagnosticIds.InvalidNamespace] = InvalidNamespace,
        [DiagnosticIds.DuplicateContract] = DuplicateContract,
    };

    private static readonly object Gate = new object();
    private static readonly Dictionary<string, DiagnosticDescriptor> EdlDescriptors = new Dictionary<string, DiagnosticDescriptor>(System.StringComparer.Ordinal);

    /// <summary>The descriptor for <paramref name="id"/>: ours for SG10xx, else one per EDL compiler id.</summary>
    public static DiagnosticDescriptor For(string id, bool isError)
    {
        if (Own.TryGetValue(id, out DiagnosticDescriptor? own))
        {
            return own;
        }

        string key = id + (isError ? ":e" : ":w");
        lock (Gate)
        {
            if (!EdlDescriptors.TryGetValue(key, out DiagnosticDescriptor? d))
            {
                // EDL compiler ids are data (SGnnnn from SecGear.Edl), documented in docs/edl.md, not rules of this analyzer.
                d = new DiagnosticDescriptor(id, "EDL diagnostic", "{0}", EdlCategory, isError ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning, isEnabledByDefault: true);
                EdlDescriptors[key] = d;
            }

            return d;
        }
    }
}
