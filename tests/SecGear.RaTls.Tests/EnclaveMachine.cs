using System.Security.Cryptography;
using SecGear.Attestation;
using SecGear.Attestation.Simulation;
using SecGear.Identity;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;

namespace SecGear.RaTls.Tests;

/// <summary>A simulated platform with its own secret in a temporary directory (deleted on dispose), and a verifier trusting its CA.</summary>
public sealed class EnclaveMachine : IDisposable
{
    public static readonly EnclaveIdentity Enclave = new(
        SHA256.HashData("ra-tls enclave"u8),
        SHA256.HashData("ra-tls signer"u8),
        ProductId: 7,
        SecurityVersion: 2,
        Debug: false);

    private readonly string directory = Path.Combine(Path.GetTempPath(), "secgear-ratls-" + Guid.NewGuid().ToString("N"));

    public EnclaveMachine()
    {
        var options = new SimulatedPlatformOptions { SecretPath = Path.Combine(directory, "platform.secret") };
        var ca = SimulatedAttestationAuthority.EnsureCaCertificate(options);
        Platform = new SimulatedPlatform(Enclave, options);
        Verifier = new AttestationVerifier();
        Verifier.Register(new SimulationEvidenceVerifier(TrustAnchors.FromFingerprints([]).Add(ca)));
    }

    public SimulatedPlatform Platform { get; }

    public AttestationVerifier Verifier { get; }

    public static AttestationPolicy AcceptingPolicy => new()
    {
        AllowSimulation = true,
        AllowedUniqueIds = [Enclave.Measurement],
        AllowedSignerIds = [Enclave.Signer],
    };

    public byte[] Evidence(ReadOnlySpan<byte> reportData) => Platform.GetEvidence(reportData);

    public void Dispose()
    {
        Platform.Dispose();
        Directory.Delete(directory, recursive: true);
    }
}
