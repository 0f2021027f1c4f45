using SecGear.Attestation;
using SecGear.Attestation.Simulation;

namespace SecGear.EncryptedDb.Client;

/// <summary>Ready-made verifier and policy for the query enclave.</summary>
public static class EnclaveTrust
{
    /// <summary>
    /// Trust a query enclave on the simulation engine: evidence signed by this simulated CA (DER certificate), with
    /// exactly this measurement and signer. Simulated evidence proves nothing against the machine's root user; use
    /// it for development and tests (docs/encrypted-db.md, "Threat model").
    /// </summary>
    public static (AttestationVerifier Verifier, AttestationPolicy Policy) Simulation(byte[] measurement, byte[] signer, byte[] simulatedCaCertificate)
    {
        var verifier = new AttestationVerifier();
        verifier.Register(new SimulationEvidenceVerifier(TrustAnchors.FromFingerprints([]).Add(simulatedCaCertificate)));
        var policy = new AttestationPolicy
        {
            AllowSimulation = true,
            AllowedUniqueIds = [measurement],
            AllowedSignerIds = [signer],
        };
        return (verifier, policy);
    }
}
