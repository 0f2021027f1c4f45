using Microsoft.CodeAnalysis;

namespace SecGear.Analyzers;

/// <summary>The descriptors of every SG20xx diagnostic; titles and messages are documented in docs/diagnostics.md.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "SecGear.Enclave";

    public static readonly DiagnosticDescriptor MissingImplementation = new(
        DiagnosticIds.MissingImplementation,
        "No class implements the ECALL interface",
        "No class in this enclave project implements {0}; Enclave.Create would fail. Add a public class that implements it.",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor NonPublicImplementation = new(
        DiagnosticIds.NonPublicImplementation,
        "The ECALL implementation class is not public",
        "'{0}' implements {1} but is not public; the trusted runtime only finds public classes, so Enclave.Create would fail. Make it (and any type containing it) public.",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor DuplicateImplementation = new(
        DiagnosticIds.DuplicateImplementation,
        "More than one class implements the ECALL interface",
        "'{0}' is one of {1} public classes implementing {2}; the trusted runtime needs exactly one. Keep one, make the others abstract or non-public.",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor NoUsableConstructor = new(
        DiagnosticIds.NoUsableConstructor,
        "The ECALL implementation class has no usable constructor",
        "'{0}' needs a public constructor taking () or (EnclaveContext); the trusted runtime creates it with one of those",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        customTags: WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor HostOnlyApi = new(
        DiagnosticIds.HostOnlyApi,
        "Host-only API used in an enclave",
        "'{0}' belongs to the untrusted host runtime ({1}) and is not available inside an enclave; use SecGear.Trusted (EnclaveContext) in enclave code",
        Category,
        DiagnosticSeverity.Error,
        isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor FileSystem = Outside(
        DiagnosticIds.FileSystem,
        "File system access inside an enclave",
        "'{0}' reads or writes the host's file system, which is outside the TEE (untrusted, and unreachable on TEE hardware); declare an OCALL in the EDL that does the I/O on the host, and seal what you store with EnclaveContext.Sealer");

    public static readonly DiagnosticDescriptor Process = Outside(
        DiagnosticIds.Process,
        "Process API inside an enclave",
        "'{0}' starts or inspects host processes, which an enclave cannot do on TEE hardware; declare an OCALL in the EDL and let the host run the process");

    public static readonly DiagnosticDescriptor Network = Outside(
        DiagnosticIds.Network,
        "Network API inside an enclave",
        "'{0}' opens network connections, which an enclave has none of on TEE hardware; declare an OCALL in the EDL that carries the bytes (the host relays them) and protect them end to end with SecGear.SecureChannel or RA-TLS");

    public static readonly DiagnosticDescriptor Exit = Outside(
        DiagnosticIds.Exit,
        "Environment.Exit or FailFast inside an enclave",
        "'{0}' would end the whole host process from inside the enclave; return an error from the ECALL (or throw) and let the host decide, or declare an OCALL that asks the host to stop");

    public static readonly DiagnosticDescriptor Console = Outside(
        DiagnosticIds.Console,
        "Console inside an enclave",
        "'{0}' uses a console the enclave does not have; log with EnclaveContext.Logger (forwarded to the host's logger) or declare an OCALL such as print_message that the host prints");

    private static DiagnosticDescriptor Outside(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Warning, isEnabledByDefault: true);
}
