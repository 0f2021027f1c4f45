namespace SecGear.Attestation.AmdSevSnp;

/// <summary>Options of <see cref="SevSnpVerifier"/>.</summary>
public sealed class SevSnpVerifierOptions
{
    /// <summary>SHA-256 fingerprint of ARK-Milan (serial 0x010000, 2020-10-22..2045-10-22).</summary>
    public const string ArkMilanFingerprint = "69D063B45344D26A2E94E1F4210DE49EF555308287D4C174445C95639A540BCD";

    /// <summary>SHA-256 fingerprint of ARK-Genoa (serial 0x020000, 2022-10-31..2047-10-31).</summary>
    public const string ArkGenoaFingerprint = "4C6598D19C18719C5DFD4A7D335F674E5BFE1D8F800CEA2CF270C10D103DB2F1";

    /// <summary>SHA-256 fingerprint of ARK-Turin (serial 0x030000, 2023-05-15..2048-05-15).</summary>
    public const string ArkTurinFingerprint = "1F084161A44BB6D93778A904877D4819CAFA5D05EF4193B2DED9DD9C73DD3F6A";

    /// <summary>The production AMD root keys of Milan, Genoa and Turin.</summary>
    public static TrustAnchors AmdProduction { get; } =
        TrustAnchors.FromFingerprints([ArkMilanFingerprint, ArkGenoaFingerprint, ArkTurinFingerprint]);

    /// <summary>Roots (ARKs) accepted at the end of the VCEK/VLEK chain. Default: <see cref="AmdProduction"/>.</summary>
    public TrustAnchors TrustAnchors { get; init; } = AmdProduction;
}
