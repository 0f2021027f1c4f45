namespace SecGear.Attestation;

/// <summary>Evidence format ids. A verifier plug-in declares the format it handles.</summary>
public static class EvidenceFormats
{
    /// <summary>Intel DCAP ECDSA quote: SGX v3, TDX v4 and v5.</summary>
    public const string IntelDcapQuote = "intel-dcap-quote";

    /// <summary>Content that no registered format recognised.</summary>
    public const string Unknown = "unknown";
}
