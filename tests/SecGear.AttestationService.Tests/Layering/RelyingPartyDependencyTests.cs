using System.Reflection;
using System.Text.Json;

namespace SecGear.AttestationService.Tests.Layering;

/// <summary>
/// A relying party verifies enclaves and never runs one: the attestation service, and the SecGear.Attestation
/// middleware it is built on, ship no trusted runtime and no host runtime (references point down only).
/// </summary>
public sealed class RelyingPartyDependencyTests
{
    private static readonly string[] EnclaveRuntimes = ["SecGear.Trusted", "SecGear.Host", "SecGear.Runner"];

    [Fact]
    public void The_attestation_service_references_no_enclave_runtime_assembly_directly_or_indirectly()
    {
        HashSet<string> closure = SecGearClosure(typeof(Program).Assembly);

        Assert.Contains("SecGear.Attestation", closure);
        Assert.Contains("SecGear.Core", closure);
        Assert.Empty(closure.Intersect(EnclaveRuntimes));
    }

    [Fact]
    public void The_attestation_service_deployment_lists_no_enclave_runtime_assembly()
    {
        // The service's deps.json (copied beside the tests for WebApplicationFactory) is the list `dotnet publish` ships.
        string deps = Path.Combine(AppContext.BaseDirectory, "SecGear.AttestationService.deps.json");
        Assert.True(File.Exists(deps), $"{deps} is missing: the test cannot see what the service ships.");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(deps));

        string[] libraries = [.. document.RootElement.GetProperty("libraries").EnumerateObject().Select(l => l.Name.Split('/')[0])];

        Assert.Contains("SecGear.Attestation", libraries);
        Assert.Empty(libraries.Intersect(EnclaveRuntimes));
    }

    /// <summary>The SecGear assemblies <paramref name="root"/> references, followed through each of them.</summary>
    private static HashSet<string> SecGearClosure(Assembly root)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Assembly>([root]);
        while (pending.TryPop(out Assembly? assembly))
        {
            foreach (AssemblyName reference in assembly.GetReferencedAssemblies())
            {
                if (reference.Name is { } name && name.StartsWith("SecGear.", StringComparison.Ordinal) && seen.Add(name))
                {
                    pending.Push(Assembly.Load(reference));
                }
            }
        }

        return seen;
    }
}
