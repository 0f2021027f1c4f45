namespace SecGear.Generator;

/// <summary>Stable ids of the diagnostics the generator itself reports (EDL compiler diagnostics keep their own ids).</summary>
internal static class DiagnosticIds
{
    /// <summary>An EDL construct that the C# mapping does not support.</summary>
    public const string Unsupported = "SG1001";

    /// <summary>Two EDL names map to the same C# name, or to a reserved one.</summary>
    public const string NameCollision = "SG1002";

    /// <summary><c>SecGearSide</c> / <c>SecGearEdlSide</c> is not Host, Enclave, Both or None.</summary>
    public const string InvalidSide = "SG1003";

    /// <summary>The EDL compiler or the emitter failed unexpectedly (a bug: please report it).</summary>
    public const string InternalError = "SG1004";

    /// <summary>A <c>size</c>/<c>count</c> refers to something that is not an integer parameter.</summary>
    public const string BadSizeReference = "SG1005";

    /// <summary>The namespace for generated code is not a valid C# namespace.</summary>
    public const string InvalidNamespace = "SG1006";

    /// <summary>Two EDL files produce contracts with the same C# name in the same namespace.</summary>
    public const string DuplicateContract = "SG1007";
}
