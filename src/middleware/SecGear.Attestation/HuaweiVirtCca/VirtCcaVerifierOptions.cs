namespace SecGear.Attestation.HuaweiVirtCca;

/// <summary>Options of <see cref="VirtCcaVerifier"/>: the pinned Huawei root and whether unendorsed realm tokens are accepted.</summary>
public sealed class VirtCcaVerifierOptions
{
    /// <summary>SHA-256 of the Huawei Equipment CA certificate (self-signed RSA-4096, 2011-12-06..2041-11-28), the root of device AIK certificates.</summary>
    public const string HuaweiEquipmentRootFingerprint = "DA2ABE9225D795A380E2899D530EF0318A5B32BC81AAFD4488BA961DDF7502D4";

    /// <summary>Roots accepted at the end of the AIK chain, by fingerprint. Default: the Huawei Equipment CA only.</summary>
    public TrustAnchors Roots { get; init; } = TrustAnchors.FromFingerprints([HuaweiEquipmentRootFingerprint]);

    /// <summary>
    /// Whether a token without a platform token (only the realm token, as secGear's attester produces it) is accepted.
    /// Default false: such a token proves only that someone holding the realm key signed it, because nothing binds that
    /// key to the device AIK. When true, it is accepted with the claim <c>hardware_endorsed=false</c>.
    /// </summary>
    public bool AcceptUnendorsedRealmTokens { get; init; }

    /// <summary>Largest token accepted, in bytes (real ones are under 4 KiB).</summary>
    public int MaxTokenSize { get; init; } = 64 * 1024;
}
