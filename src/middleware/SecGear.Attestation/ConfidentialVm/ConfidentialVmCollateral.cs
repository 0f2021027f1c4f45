namespace SecGear.Attestation.ConfidentialVm;

/// <summary>
/// Collateral of confidential-VM evidence: the collateral of its hardware evidence (Intel collateral for a TDX quote,
/// the VCEK and AMD chain for an SEV-SNP report when the evidence carries no certificate table).
/// </summary>
public sealed class ConfidentialVmCollateral(Collateral hardware) : Collateral
{
    /// <summary>The hardware evidence's collateral.</summary>
    public Collateral Hardware { get; } = hardware ?? throw new ArgumentNullException(nameof(hardware));

    /// <inheritdoc/>
    public override string Format => EvidenceFormats.ConfidentialVm;

    /// <inheritdoc/>
    public override DateTimeOffset ValidFrom => Hardware.ValidFrom;

    /// <inheritdoc/>
    public override DateTimeOffset ValidUntil => Hardware.ValidUntil;
}
