namespace SecGear.Analyzers;

/// <summary>Stable ids of the enclave-project diagnostics (docs/diagnostics.md). Never reuse or renumber one.</summary>
internal static class DiagnosticIds
{
    /// <summary>A contract's ECALL interface has no implementing class in the enclave project.</summary>
    public const string MissingImplementation = "SG2001";

    /// <summary>The only classes implementing an ECALL interface are not public, so the runtime cannot find them.</summary>
    public const string NonPublicImplementation = "SG2002";

    /// <summary>More than one public class implements the same ECALL interface.</summary>
    public const string DuplicateImplementation = "SG2003";

    /// <summary>The implementation has no public constructor taking () or (EnclaveContext).</summary>
    public const string NoUsableConstructor = "SG2004";

    /// <summary>Enclave code names a type of the untrusted host runtime (SecGear.Host, SecGear.Runner).</summary>
    public const string HostOnlyApi = "SG2010";

    /// <summary>File system API inside an enclave.</summary>
    public const string FileSystem = "SG2020";

    /// <summary>Process API inside an enclave.</summary>
    public const string Process = "SG2021";

    /// <summary>Socket, HTTP or DNS API inside an enclave.</summary>
    public const string Network = "SG2022";

    /// <summary>Environment.Exit or Environment.FailFast inside an enclave.</summary>
    public const string Exit = "SG2023";

    /// <summary>System.Console inside an enclave.</summary>
    public const string Console = "SG2024";
}
