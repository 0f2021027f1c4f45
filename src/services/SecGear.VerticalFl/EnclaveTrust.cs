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
    /// </summary>
    public static EnclaveTrust ForSimulatedImage(string imagePath)
    {
        var identity = EnclaveImage.Load(imagePath).Identity;
        return ForSimulated(identity.Measurement.ToArray(), identity.Signer.ToArray());
    }

    /// <summary>Pins the given measurement and signer, with this machine's simulated attestation CA as the anchor.</summary>
    public static EnclaveTrust ForSimulated(byte[] measurement, byte[] signer)
    {
        byte[] ca = SimulatedAttestationAuthority.EnsureCaCertificate();
        var verifier = new AttestationVerifier();
        verifier.Register(new SimulationEvidenceVerifier(TrustAnchors.FromFingerprints([]).Add(ca)));
        var policy = new AttestationPolicy
        {
            AllowSimulation = true,
            AllowedUniqueIds = [measurement],
            AllowedSignerIds = [signer],
        };
        return new EnclaveTrust(verifier, policy);
    }
}
