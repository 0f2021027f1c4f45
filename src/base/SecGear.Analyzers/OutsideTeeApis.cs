using Microsoft.CodeAnalysis;

namespace SecGear.Analyzers;

/// <summary>
/// The APIs <see cref="EnclaveApiAnalyzer"/> flags, by the type that declares them. A list, not a heuristic: each
/// entry is an API whose whole purpose is to reach the host's files, processes, network or console.
/// </summary>
internal static class OutsideTeeApis
{
    /// <summary>Assemblies only the untrusted side loads: the host runtime and the simulation engine's runner.</summary>
    public static bool IsHostOnlyAssembly(string name) => name is "SecGear.Host" or "SecGear.Runner";

    /// <summary>The rule that <paramref name="member"/> of <paramref name="type"/> breaks, or null.</summary>
    public static DiagnosticDescriptor? RuleFor(INamedTypeSymbol type, ISymbol member)
    {
        string ns = type.ContainingNamespace?.ToDisplayString() ?? "";
        string name = type.OriginalDefinition.ToDisplayString();
        switch (name)
        {
            case "System.IO.File":
            case "System.IO.Directory":
            case "System.IO.FileStream":
            case "System.IO.FileInfo":
            case "System.IO.DirectoryInfo":
            case "System.IO.FileSystemWatcher":
            case "System.IO.MemoryMappedFiles.MemoryMappedFile" when member.Name.StartsWith("CreateFromFile", System.StringComparison.Ordinal):
                return DiagnosticDescriptors.FileSystem;
            case "System.IO.StreamReader":
            case "System.IO.StreamWriter":
                // Over a stream these are fine; over a path they open a file.
                return member is IMethodSymbol { MethodKind: MethodKind.Constructor, Parameters.Length: > 0 } ctor
                    && ctor.Parameters[0].Type.SpecialType == SpecialType.System_String
                    ? DiagnosticDescriptors.FileSystem
                    : null;
            case "System.Diagnostics.Process":
            case "System.Diagnostics.ProcessStartInfo":
                return DiagnosticDescriptors.Process;
            case "System.Net.Http.HttpClient":
            case "System.Net.Http.HttpClientHandler":
            case "System.Net.Http.SocketsHttpHandler":
            case "System.Net.WebClient":
            case "System.Net.WebRequest":
            case "System.Net.HttpWebRequest":
            case "System.Net.Dns":
            case "System.Net.HttpListener":
                return DiagnosticDescriptors.Network;
            case "System.Environment" when member.Name is "Exit" or "FailFast":
                return DiagnosticDescriptors.Exit;
            case "System.Console":
                return DiagnosticDescriptors.Console;
        }

        return ns is "System.Net.Sockets" or "System.Net.Quic" or "System.Net.NetworkInformation" ? DiagnosticDescriptors.Network : null;
    }
}
