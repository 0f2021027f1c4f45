using System.Security.Cryptography;
using SecGear.Attestation;
using SecGear.Attestation.Simulation;
using SecGear.Identity;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;

namespace SecGear.SecureChannel.Tests;

/// <summary>A simulated platform with its own secret in a temporary directory, and a verifier trusting its CA.</summary>
public sealed class SimulatedEnclave : IDisposable
{
    public static readonly EnclaveIdentity Identity = new(
        SHA256.HashData("channel enclave"u8),
        SHA256.HashData("channel signer"u8),
        ProductId: 7,
        SecurityVersion: 2,
        Debug: false);

    private readonly string directory = Path.Combine(Path.GetTempPath(), "secgear-channel-" + Guid.NewGuid().ToString("N"));
    private readonly List<SimulatedPlatform> platforms = [];

    public SimulatedEnclave()
    {
        Options = new SimulatedPlatformOptions { SecretPath = Path.Combine(directory, "platform.secret") };
        var ca = SimulatedAttestationAuthority.EnsureCaCertificate(Options);
        Verifier = new AttestationVerifier();
        Verifier.Register(new SimulationEvidenceVerifier(TrustAnchors.FromFingerprints([]).Add(ca)));
        Platform = NewPlatform(Identity);
    }

    public SimulatedPlatformOptions Options { get; }

    public AttestationVerifier Verifier { get; }

    public SimulatedPlatform Platform { get; }

    public static AttestationPolicy Policy => new() { AllowSimulation = true, AllowedUniqueIds = [Identity.Measurement] };

    public SimulatedPlatform NewPlatform(EnclaveIdentity identity)
    {
        var platform = new SimulatedPlatform(identity, Options);
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
