using System.Security.Cryptography;
using SecGear.Attestation;
using SecGear.Attestation.Simulation;
using SecGear.Identity;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;

namespace SecGear.Testing;

/// <summary>
/// One simulated machine for tests: a platform secret in its own temporary directory (deleted on dispose), its
/// simulated CA, a verifier trusting only that CA, and simulated platforms for enclave identities (all disposed with
/// the machine). Shared (tests/SecGear.Testing.Attestation) by the test projects that attest in simulation,
/// so that each does not keep its own copy.
/// </summary>
public sealed class SimulatedMachine : IDisposable
{
    /// <summary>The identity <see cref="Platform"/> attests when the constructor is given none.</summary>
    public static readonly EnclaveIdentity DefaultIdentity = CreateIdentity("simulated", productId: 12, securityVersion: 3);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "secgear-machine-" + Guid.NewGuid().ToString("N"));
    private readonly List<SimulatedPlatform> _platforms = [];

    /// <summary>Creates the machine's secret and CA, and a platform for <paramref name="identity"/> (default <see cref="DefaultIdentity"/>).</summary>
    public SimulatedMachine(EnclaveIdentity? identity = null)
    {
        Identity = identity ?? DefaultIdentity;
        Options = new SimulatedPlatformOptions { SecretPath = Path.Combine(_directory, "platform.secret") };
        CaCertificate = SimulatedAttestationAuthority.EnsureCaCertificate(Options);
        Anchors = TrustAnchors.FromFingerprints([]).Add(CaCertificate);
        Verifier = new AttestationVerifier();
        Verifier.Register(new SimulationEvidenceVerifier(Anchors));
        Platform = NewPlatform(Identity);
    }

    /// <summary>The identity of <see cref="Platform"/>.</summary>
    public EnclaveIdentity Identity { get; }

    /// <summary>Where this machine's platform secret lives.</summary>
    public SimulatedPlatformOptions Options { get; }

    /// <summary>The machine's simulated CA certificate (DER).</summary>
    public byte[] CaCertificate { get; }

    /// <summary>Trust anchors holding only <see cref="CaCertificate"/>.</summary>
    public TrustAnchors Anchors { get; }

    /// <summary>A verifier that accepts this machine's simulation evidence (and no other format).</summary>
    public AttestationVerifier Verifier { get; }

    /// <summary>The platform of the enclave <see cref="Identity"/> on this machine.</summary>
    public SimulatedPlatform Platform { get; }

    /// <summary>A policy accepting simulation evidence of <see cref="Identity"/> (unique id and signer id).</summary>
    public AttestationPolicy Policy => new()
    {
        AllowSimulation = true,
        AllowedUniqueIds = [Identity.Measurement],
        AllowedSignerIds = [Identity.Signer],
    };

    /// <summary>An identity whose measurement and signer are SHA-256 of "<paramref name="name"/> enclave" and "<paramref name="name"/> signer".</summary>
    public static EnclaveIdentity CreateIdentity(string name, ushort productId = 7, ushort securityVersion = 2, bool debug = false) => new(
        SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name + " enclave")),
        SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(name + " signer")),
        productId,
        securityVersion,
        debug);

    /// <summary>Another platform on this machine (same secret and CA) for <paramref name="identity"/> (default <see cref="Identity"/>).</summary>
    public SimulatedPlatform NewPlatform(EnclaveIdentity? identity = null)
    {
        var platform = new SimulatedPlatform(identity ?? Identity, Options);
        _platforms.Add(platform);
        return platform;
    }

    /// <summary>Evidence from <see cref="Platform"/> binding <paramref name="reportData"/>.</summary>
    public byte[] Evidence(ReadOnlySpan<byte> reportData) => Platform.GetEvidence(reportData);

    /// <summary>Disposes every platform and deletes the secret's directory.</summary>
    public void Dispose()
    {
        foreach (var platform in _platforms)
        {
            platform.Dispose();
        }

        Directory.Delete(_directory, recursive: true);
    }
}
