using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using SecGear.Attestation.AmdSevSnp;
using SecGear.Attestation.Intel;
using SecGear.ConfidentialVm;

namespace SecGear.Attestation;

/// <summary>
/// Loads collateral in the form an evidence format needs (the forms <c>secgear verify --collateral</c> accepts):
/// Intel DCAP quotes take <see cref="IntelCollateral.Load"/> forms or the separate PCS pieces, SEV-SNP reports PEM
/// bundles or AMD KDS's DER VCEK plus PEM chain (<see cref="SevSnpCollateral.Load"/>), NVIDIA GPU evidence RIM files and
/// DER OCSP responses (<see cref="NvidiaGpu.NvidiaGpuCollateral.Load"/>), virtCCA tokens the AIK certificate and Huawei
/// chain (DER or PEM pieces), Azure vTPM evidence the AMD chain PEM or Intel collateral; Nitro documents, CCA tokens and
/// simulation evidence carry their own certificates.
/// </summary>
public static class CollateralLoader
{
    /// <summary>Largest SEV-SNP bundle assembled from pieces (real ones are a few kilobytes).</summary>
    private const int MaxBundleSize = 1 << 20;

    /// <summary>Largest quote inspected before collateral is parsed (the verifier applies its own, smaller limit).</summary>
    private const int MaxInspectedEvidence = 1 << 20;

    /// <summary>True when evidence of <paramref name="evidenceFormat"/> takes collateral at all.</summary>
    public static bool Accepts(string evidenceFormat) =>
        evidenceFormat is not (EvidenceFormats.AwsNitroDocument or EvidenceFormats.ArmCcaToken or EvidenceFormats.SecGearSimulation or EvidenceFormats.Unknown);

    /// <summary>
    /// Parses collateral for <paramref name="evidence"/>, evidence first: unrecognised, empty or structurally broken
    /// evidence gives its own failure (no collateral can make it valid, and a collateral error would point the user at
    /// the wrong file); otherwise the collateral is loaded as <see cref="Load(string, IReadOnlyList{ReadOnlyMemory{byte}})"/> does.
    /// Never throws for bad input.
    /// </summary>
    public static bool TryLoad(
        Evidence evidence, IReadOnlyList<ReadOnlyMemory<byte>> pieces, [NotNullWhen(true)] out Collateral? collateral, [NotNullWhen(false)] out AttestationFailure? failure)
    {
        ArgumentNullException.ThrowIfNull(evidence);
        ArgumentNullException.ThrowIfNull(pieces);
        collateral = null;
        failure = EvidenceFailure(evidence);
        if (failure is not null)
        {
            return false;
        }

        try
        {
            collateral = evidence.Format == EvidenceFormats.ConfidentialVm ? LoadConfidentialVm(evidence, pieces) : Load(evidence.Format, pieces);
            return true;
        }
        catch (AttestationException ex)
        {
            failure = ex.Failure;
            return false;
        }
    }

    /// <summary>The failure of evidence that cannot be read at all, before any collateral is looked at; null when it parses.</summary>
    private static AttestationFailure? EvidenceFailure(Evidence evidence)
    {
        switch (evidence.Format)
        {
            case EvidenceFormats.Unknown:
                return new(
                    AttestationFailureCode.UnsupportedEvidenceFormat,
                    $"the evidence ({evidence.Data.Length} bytes) is in no recognised format (Intel DCAP quote, SEV-SNP report, Nitro document, CCA token, NVIDIA GPU report, virtCCA token, Azure vTPM evidence, SecGear simulation evidence), so no collateral applies to it");
            case EvidenceFormats.IntelDcapQuote:
                return DcapQuoteParser.TryParse(evidence.Data, MaxInspectedEvidence, out _, out var quoteFailure) ? null : quoteFailure;
            case EvidenceFormats.AmdSevSnpReport:
                return SnpReport.TryParse(evidence.Data.Span, out _, out var reportFailure) ? null : reportFailure;
            case EvidenceFormats.ConfidentialVm:
                return ConfidentialVmEvidence.TryParse(evidence.Data.Span, out var envelope, out var envelopeError)
                    ? EvidenceFailure(new Evidence(ConfidentialVm.ConfidentialVmVerifier.HardwareFormat(envelope.Tee), envelope.HardwareEvidence.Span))
                    : new(AttestationFailureCode.EvidenceMalformed, envelopeError);
            default:
                return null;
        }
    }

    /// <summary>Parses <paramref name="data"/> as collateral for evidence of <paramref name="evidenceFormat"/>.</summary>
    /// <exception cref="AttestationException">
    /// <see cref="AttestationFailureCode.CollateralMalformed"/>: the format takes no collateral, or the data is not in a supported form.
    /// </exception>
    public static Collateral Load(string evidenceFormat, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(evidenceFormat);
        RequireAccepted(evidenceFormat);
        if (evidenceFormat == EvidenceFormats.NvidiaGpuReport)
        {
            return NvidiaGpu.NvidiaGpuCollateral.Load([data.ToArray()]);
        }

        return evidenceFormat switch
        {
            EvidenceFormats.AmdSevSnpReport => LoadSevSnp([data.ToArray()]),
            EvidenceFormats.HuaweiVirtCcaToken => HuaweiVirtCca.VirtCcaCollateral.Load([data.ToArray()]),
            EvidenceFormats.AzureVtpm => AzureVtpm.AzureVtpmCollateral.Load(data),
            _ => IntelCollateral.FromPieces([data.ToArray()]),
        };
    }

    /// <summary>
    /// Parses collateral given as one or more pieces (files or request fields): Intel pieces are merged with
    /// <see cref="IntelCollateral.FromPieces"/> (the separate PCS responses, chains and CRLs); SEV-SNP PEM pieces are
    /// joined into one bundle; NVIDIA GPU pieces are RIMs and OCSP responses in any order.
    /// </summary>
    /// <exception cref="AttestationException">
    /// <see cref="AttestationFailureCode.CollateralMalformed"/>: no pieces, too many, a piece unrecognised or repeated,
    /// the format takes no collateral, or the data is not in a supported form.
    /// </exception>
    public static Collateral Load(string evidenceFormat, IReadOnlyList<ReadOnlyMemory<byte>> pieces)
    {
        ArgumentNullException.ThrowIfNull(evidenceFormat);
        ArgumentNullException.ThrowIfNull(pieces);
        RequireAccepted(evidenceFormat);
        if (evidenceFormat == EvidenceFormats.NvidiaGpuReport)
        {
            return NvidiaGpu.NvidiaGpuCollateral.Load(pieces);
        }

        return evidenceFormat switch
        {
            EvidenceFormats.AmdSevSnpReport => LoadSevSnp(pieces),
            EvidenceFormats.HuaweiVirtCcaToken => HuaweiVirtCca.VirtCcaCollateral.Load(pieces),
            EvidenceFormats.AzureVtpm => AzureVtpm.AzureVtpmCollateral.Load(JoinPem(pieces)),
            _ => IntelCollateral.FromPieces(pieces),
        };
    }

    /// <summary>Confidential-VM evidence takes the collateral of its hardware evidence, wrapped.</summary>
    private static ConfidentialVm.ConfidentialVmCollateral LoadConfidentialVm(Evidence evidence, IReadOnlyList<ReadOnlyMemory<byte>> pieces)
    {
        // EvidenceFailure has parsed it already.
        ConfidentialVmEvidence.TryParse(evidence.Data.Span, out var envelope, out _);
        string hardwareFormat = ConfidentialVm.ConfidentialVmVerifier.HardwareFormat(envelope!.Tee);
        return new ConfidentialVm.ConfidentialVmCollateral(Load(hardwareFormat, pieces));
    }

    private static void RequireAccepted(string evidenceFormat)
    {
        if (evidenceFormat == EvidenceFormats.ConfidentialVm)
        {
            throw new AttestationException(
                AttestationFailureCode.CollateralMalformed, "confidential-VM collateral is the collateral of its hardware evidence; load it with TryLoad, which reads the evidence to know which");
        }

        if (evidenceFormat == EvidenceFormats.Unknown)
        {
            throw new AttestationException(AttestationFailureCode.UnsupportedEvidenceFormat, "the evidence is in no recognised format, so no collateral applies to it");
        }

        if (!Accepts(evidenceFormat))
        {
            throw new AttestationException(
                AttestationFailureCode.CollateralMalformed, $"{evidenceFormat} evidence carries its own certificates; collateral does not apply");
        }
    }

    /// <summary>
    /// SEV-SNP pieces in the forms AMD's key server serves them (the VCEK as DER, the ASK/ARK chain as PEM) or as PEM
    /// bundles, joined into one bundle. A lone DER certificate is a VCEK/VLEK without its chain and says so.
    /// </summary>
    private static SevSnpCollateral LoadSevSnp(IReadOnlyList<ReadOnlyMemory<byte>> pieces)
    {
        if (pieces.Count == 0)
        {
            throw new AttestationException(AttestationFailureCode.CollateralMalformed, "no SEV-SNP collateral was given; it needs the VCEK (or VLEK) and the AMD chain (ASK or ASVK, ARK)");
        }

        var pem = new ReadOnlyMemory<byte>[pieces.Count];
        for (int i = 0; i < pieces.Count; i++)
        {
            pem[i] = pieces[i].Span.IndexOf("-----BEGIN"u8) >= 0 ? pieces[i] : DerAsPem(pieces[i].Span, i);
        }

        if (pieces.Count == 1 && pieces[0].Span.IndexOf("-----BEGIN"u8) < 0)
        {
            throw new AttestationException(
                AttestationFailureCode.CollateralMalformed, "the SEV-SNP collateral is one DER certificate (a VCEK or VLEK) without the AMD chain; also give the ASK/ARK (or ASVK/ARK) PEM, e.g. AMD KDS's cert_chain");
        }

        return SevSnpCollateral.Load(JoinPem(pem));
    }

    private static byte[] DerAsPem(ReadOnlySpan<byte> der, int index)
    {
        try
        {
            using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(der);
            return System.Text.Encoding.ASCII.GetBytes(PemEncoding.WriteString("CERTIFICATE", certificate.RawData) + "\n");
        }
        catch (CryptographicException ex)
        {
            throw new AttestationException(
                AttestationFailureCode.CollateralMalformed, $"SEV-SNP collateral piece {index + 1} is neither PEM nor a DER X.509 certificate: {FailureText.Of(ex)}");
        }
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
