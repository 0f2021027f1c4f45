using SecGear.Attestation.AmdSevSnp;
using SecGear.Attestation.Intel;

namespace SecGear.Attestation;

/// <summary>
/// Loads collateral in the form an evidence format needs (the forms <c>secgear verify --collateral</c> accepts):
/// Intel DCAP quotes take <see cref="IntelCollateral.Load"/> forms, SEV-SNP reports a PEM bundle
/// (<see cref="SevSnpCollateral.Load"/>), virtCCA tokens the AIK certificate and Huawei chain (DER or PEM pieces),
/// Azure vTPM evidence the AMD chain PEM or Intel collateral; Nitro documents, CCA tokens and simulation evidence carry their own certificates.
/// </summary>
public static class CollateralLoader
{
    /// <summary>Largest SEV-SNP bundle assembled from pieces (real ones are a few kilobytes).</summary>
    private const int MaxBundleSize = 1 << 20;

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

        return evidenceFormat switch
        {
            EvidenceFormats.AmdSevSnpReport => SevSnpCollateral.Load(data),
            EvidenceFormats.HuaweiVirtCcaToken => HuaweiVirtCca.VirtCcaCollateral.Load([data.ToArray()]),
            EvidenceFormats.AzureVtpm => AzureVtpm.AzureVtpmCollateral.Load(data),
            _ => IntelCollateral.Load(data),
        };
    }

    /// <summary>
    /// Parses collateral given as one or more pieces (files or request fields): Intel pieces are merged with
    /// <see cref="IntelCollateral.FromPieces"/> (the separate PCS responses, chains and CRLs); SEV-SNP PEM pieces are
    /// joined into one bundle.
    /// </summary>
    /// <exception cref="AttestationException">
    /// <see cref="AttestationFailureCode.CollateralMalformed"/>: no pieces, too many, a piece unrecognised or repeated,
    /// the format takes no collateral, or the data is not in a supported form.
    /// </exception>
    public static Collateral Load(string evidenceFormat, IReadOnlyList<ReadOnlyMemory<byte>> pieces)
    {
        ArgumentNullException.ThrowIfNull(evidenceFormat);
        ArgumentNullException.ThrowIfNull(pieces);
        if (pieces.Count == 1 || !Accepts(evidenceFormat))
        {
            return Load(evidenceFormat, pieces.Count == 0 ? [] : pieces[0].Span);
        }

        return evidenceFormat switch
        {
            EvidenceFormats.AmdSevSnpReport => SevSnpCollateral.Load(JoinPem(pieces)),
            EvidenceFormats.HuaweiVirtCcaToken => HuaweiVirtCca.VirtCcaCollateral.Load(pieces),
            EvidenceFormats.AzureVtpm => AzureVtpm.AzureVtpmCollateral.Load(JoinPem(pieces)),
            _ => IntelCollateral.FromPieces(pieces),
        };
    }

    /// <summary>PEM pieces (e.g. a VCEK and its chain as separate files) joined into one bundle, a line break between each.</summary>
    private static byte[] JoinPem(IReadOnlyList<ReadOnlyMemory<byte>> pieces)
    {
        long total = 0;
        foreach (var piece in pieces)
        {
            total += piece.Length + 1;
        }

        if (total > MaxBundleSize)
        {
            throw new AttestationException(AttestationFailureCode.CollateralMalformed, $"collateral pieces add up to more than {MaxBundleSize} bytes");
        }

        var bundle = new byte[total];
        int offset = 0;
        foreach (var piece in pieces)
        {
            piece.Span.CopyTo(bundle.AsSpan(offset));
            offset += piece.Length;
            bundle[offset++] = (byte)'\n';
        }

        return bundle;
    }
}
