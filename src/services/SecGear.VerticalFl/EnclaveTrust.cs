using SecGear.Attestation;
using SecGear.Attestation.Simulation;
using SecGear.Images;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;

namespace SecGear.VerticalFl;

/// <summary>
/// What a follower accepts as the split-layer enclave: a verifier with its trust anchors and a policy pinning the
/// enclave's measurement and signer. A follower pins what it has reason to believe (an image it built itself), never
/// what the leader tells it.
/// </summary>
/// <param name="Verifier">The evidence verifier.</param>
/// <param name="Policy">The policy the enclave's claims must meet.</param>
public sealed record EnclaveTrust(AttestationVerifier Verifier, AttestationPolicy Policy)
{
    /// <summary>
    /// Pins the measurement and signer of <paramref name="imagePath"/> and trusts this machine's simulated attestation
    /// CA (simulated evidence proves nothing against this machine's root; docs/vertical-fl.md, "What to trust").
    /// <paramref name="allowInProcess"/> also accepts the InProcess engine (no isolation: benchmarks' plain baseline only).
    /// </summary>
    public static EnclaveTrust ForSimulatedImage(string imagePath, bool allowInProcess = false)
    {
        var identity = EnclaveImage.Load(imagePath).Identity;
        return ForSimulated(identity.Measurement.ToArray(), identity.Signer.ToArray(), allowInProcess);
    }

    /// <summary>Pins the given measurement and signer, with this machine's simulated attestation CA as the anchor.</summary>
    public static EnclaveTrust ForSimulated(byte[] measurement, byte[] signer, bool allowInProcess = false)
    {
        byte[] ca = SimulatedAttestationAuthority.EnsureCaCertificate();
        var verifier = new AttestationVerifier();
        verifier.Register(new SimulationEvidenceVerifier(TrustAnchors.FromFingerprints([]).Add(ca)));
        var policy = new AttestationPolicy
        {
            AllowSimulation = true,
            AllowInProcess = allowInProcess,
            AllowedUniqueIds = [measurement],
            AllowedSignerIds = [signer],
        };
        return new EnclaveTrust(verifier, policy);
    }
}
