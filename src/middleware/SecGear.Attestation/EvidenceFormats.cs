namespace SecGear.Attestation;

/// <summary>Evidence format ids. A verifier plug-in declares the format it handles.</summary>
public static class EvidenceFormats
{
    /// <summary>Intel DCAP ECDSA quote: SGX v3, TDX v4 and v5.</summary>
    public const string IntelDcapQuote = "intel-dcap-quote";

    /// <summary>SecGear simulation evidence, signed by a simulated platform attestation key (see <see cref="SimulationEvidence"/>).</summary>
    public const string SecGearSimulation = SimulationEvidence.FormatId;

    /// <summary>Content that no registered format recognised.</summary>
    public const string Unknown = "unknown";
}
