using SecGear.Attestation.Intel;

namespace SecGear.Attestation.AzureVtpm;

/// <summary>
/// Collateral for Azure vTPM evidence: the AMD chain (ASK and ARK, PEM as AMD KDS serves it) for SEV-SNP, whose VCEK
/// travels in the evidence; or Intel collateral for the TD quote of TDX evidence.
/// </summary>
public sealed class AzureVtpmCollateral : Collateral
{
    private AzureVtpmCollateral(byte[]? amdChainPem, IntelCollateral? intel)
    {
        AmdChainPem = amdChainPem;
        Intel = intel;
    }

    /// <inheritdoc />
    public override string Format => EvidenceFormats.AzureVtpm;

    /// <inheritdoc />
    public override DateTimeOffset ValidFrom => Intel?.ValidFrom ?? DateTimeOffset.MinValue;

    /// <inheritdoc />
    public override DateTimeOffset ValidUntil => Intel?.ValidUntil ?? DateTimeOffset.MaxValue;

    /// <summary>The AMD chain PEM (SEV-SNP), or null.</summary>
    public byte[]? AmdChainPem { get; }

    /// <summary>The Intel collateral (TDX), or null.</summary>
    public IntelCollateral? Intel { get; }

    /// <summary>Collateral for SEV-SNP evidence: the AMD chain PEM (ASK/ASVK and ARK).</summary>
    public static AzureVtpmCollateral ForSnp(ReadOnlySpan<byte> amdChainPem) => new(amdChainPem.ToArray(), null);

    /// <summary>Collateral for TDX evidence: Intel collateral for the TD quote.</summary>
    public static AzureVtpmCollateral ForTdx(IntelCollateral intel) => new(null, intel ?? throw new ArgumentNullException(nameof(intel)));

    /// <summary>Loads collateral: PEM text is the AMD chain, anything else Intel collateral (<see cref="IntelCollateral.Load"/>).</summary>
    /// <exception cref="AttestationException"><see cref="AttestationFailureCode.CollateralMalformed"/>: not in a supported form.</exception>
    public static AzureVtpmCollateral Load(ReadOnlySpan<byte> data) =>
        data.IndexOf("-----BEGIN CERTIFICATE"u8) >= 0 && data.IndexOf((byte)'{') < 0 ? ForSnp(data) : ForTdx(IntelCollateral.Load(data));
}
