using SecGear.Attestation;
using SecGear.Identity;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;

namespace SecGear.AttestationService.Tests.Service;

/// <summary>A simulated platform with its own secret in a temporary directory (never ~/.secgear), deleted on dispose.</summary>
public sealed class SimulatedEnclave : IDisposable
{
    public static readonly EnclaveIdentity Identity = new(
        System.Security.Cryptography.SHA256.HashData("attestation service test enclave"u8),
        System.Security.Cryptography.SHA256.HashData("attestation service test signer"u8),
        ProductId: 7,
        SecurityVersion: 2,
        Debug: false);

    public static readonly EnclaveIdentity Modified = Identity with
    {
        Measurement = System.Security.Cryptography.SHA256.HashData("a modified enclave"u8),
    };

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "secgear-as-sim-" + Guid.NewGuid().ToString("N"));
    private readonly List<SimulatedPlatform> _platforms = [];

    public SimulatedEnclave()
    {
        Options = new SimulatedPlatformOptions { SecretPath = Path.Combine(_directory, "platform.secret") };
        CaCertificate = SimulatedAttestationAuthority.EnsureCaCertificate(Options);
        CaCertificatePath = SimulatedAttestationAuthority.CaCertificatePath(Options.SecretPath);
    }

    public SimulatedPlatformOptions Options { get; }

    public byte[] CaCertificate { get; }

    /// <summary>The PEM file of the simulated CA, the service's trust anchor.</summary>
    public string CaCertificatePath { get; }

    public static string UniqueIdHex => Convert.ToHexStringLower(Identity.Measurement);

    public static string SignerIdHex => Convert.ToHexStringLower(Identity.Signer);

    public byte[] Evidence(byte[] reportData, EnclaveIdentity? identity = null)
    {
        var platform = new SimulatedPlatform(identity ?? Identity, Options);
        lock (_platforms)
        {
            _platforms.Add(platform);
        }

        return platform.GetEvidence(reportData);
    }

    public void Dispose()
    {
        foreach (var platform in _platforms)
        {
            platform.Dispose();
        }

        Directory.Delete(_directory, recursive: true);
    }
}
