using SecGear.Identity;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;

namespace SecGear.Attestation.Tests.Simulation;

/// <summary>A simulated platform with its own secret in a temporary directory, deleted on dispose.</summary>
public sealed class SimulatedMachine : IDisposable
{
    public static readonly EnclaveIdentity Enclave = new(
        System.Security.Cryptography.SHA256.HashData("simulated enclave"u8),
        System.Security.Cryptography.SHA256.HashData("simulated signer"u8),
        ProductId: 12,
        SecurityVersion: 3,
        Debug: false);

    private readonly string directory = Path.Combine(Path.GetTempPath(), "secgear-simattest-" + Guid.NewGuid().ToString("N"));
    private readonly List<SimulatedPlatform> platforms = [];

    public SimulatedMachine()
    {
        Options = new SimulatedPlatformOptions { SecretPath = Path.Combine(directory, "platform.secret") };
        CaCertificate = SimulatedAttestationAuthority.EnsureCaCertificate(Options);
        Anchors = TrustAnchors.FromFingerprints([]).Add(CaCertificate);
    }

    public SimulatedPlatformOptions Options { get; }

    public byte[] CaCertificate { get; }

    public TrustAnchors Anchors { get; }

    public SimulatedPlatform Platform(EnclaveIdentity? identity = null)
    {
        var platform = new SimulatedPlatform(identity ?? Enclave, Options);
        platforms.Add(platform);
        return platform;
    }

    public void Dispose()
    {
        foreach (var platform in platforms)
        {
            platform.Dispose();
        }

        Directory.Delete(directory, recursive: true);
    }
}
