using SecGear.Attestation.AmdSevSnp;
using SecGear.Attestation.Intel;

namespace SecGear.Attestation;

/// <summary>
/// Loads collateral in the form an evidence format needs (the forms <c>secgear verify --collateral</c> accepts):
/// Intel DCAP quotes take <see cref="IntelCollateral.Load"/> forms, SEV-SNP reports a PEM bundle
/// (<see cref="SevSnpCollateral.Load"/>); Nitro documents, CCA tokens and simulation evidence carry their own certificates.
/// </summary>
public static class CollateralLoader
{
    /// <summary>True when evidence of <paramref name="evidenceFormat"/> takes collateral at all.</summary>
    public static bool Accepts(string evidenceFormat) =>
        evidenceFormat is not (EvidenceFormats.AwsNitroDocument or EvidenceFormats.ArmCcaToken or EvidenceFormats.SecGearSimulation);

    /// <summary>Parses <paramref name="data"/> as collateral for evidence of <paramref name="evidenceFormat"/>.</summary>
    /// <exception cref="AttestationException">
    /// <see cref="AttestationFailureCode.CollateralMalformed"/>: the format takes no collateral, or the data is not in a supported form.
    /// </exception>
    public static Collateral Load(string evidenceFormat, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(evidenceFormat);
        if (!Accepts(evidenceFormat))
        {
            throw new AttestationException(
                AttestationFailureCode.CollateralMalformed, $"{evidenceFormat} evidence carries its own certificates; collateral does not apply");
        }

        return evidenceFormat == EvidenceFormats.AmdSevSnpReport ? SevSnpCollateral.Load(data) : IntelCollateral.Load(data);
    }
}
