using SecGear.ConfidentialVm;
using SecGear.Simulation;

namespace SecGear.Attestation;

/// <summary>Attestation evidence: opaque bytes tagged with a format id (see <see cref="EvidenceFormats"/>).</summary>
public sealed class Evidence
{
    /// <summary>Creates evidence of a known format. The bytes are copied.</summary>
    public Evidence(string format, ReadOnlySpan<byte> data)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(format);
        Format = format;
        Data = data.ToArray();
    }

    /// <summary>The format id, e.g. <see cref="EvidenceFormats.IntelDcapQuote"/>.</summary>
    public string Format { get; }

    /// <summary>The evidence bytes.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>
    /// Wraps bytes whose format is recognised from their content: an Intel DCAP quote (v3/v4/v5), optionally behind
    /// Open Enclave's 16-byte report header or text header lines; an SEV-SNP report (binary or hex text); a Nitro
    /// document (binary or base64 text); a CCA token; NVIDIA GPU evidence (report and chain, text or JSON); a Kunpeng virtCCA token (binary or hex text); Azure vTPM evidence (trustee JSON); SecGear simulation and confidential-VM evidence. Returns evidence of format
    /// <see cref="EvidenceFormats.Unknown"/> when nothing matches, so that verification fails with a named check.
    /// </summary>
    public static Evidence Detect(ReadOnlySpan<byte> data)
    {
        var body = EvidenceUnwrapper.Unwrap(data);
        if (Intel.DcapQuoteParser.LooksLikeQuote(body))
        {
            return new Evidence(EvidenceFormats.IntelDcapQuote, body);
        }

        if (ConfidentialVmEvidence.LooksLike(data))
        {
            return new Evidence(EvidenceFormats.ConfidentialVm, data);
        }

        if (SimulationEvidence.LooksLike(data))
        {
            return new Evidence(EvidenceFormats.SecGearSimulation, data);
        }

        if (NvidiaGpu.NvidiaGpuEvidence.LooksLike(data))
        {
            return new Evidence(EvidenceFormats.NvidiaGpuReport, data);
        }

        if (AmdSevSnp.SnpReportDetector.Detect(data) is { } snpReport)
        {
            return new Evidence(EvidenceFormats.AmdSevSnpReport, snpReport);
        }

        if (AwsNitro.NitroDocumentDetector.Detect(data) is { } nitroDocument)
        {
            return new Evidence(EvidenceFormats.AwsNitroDocument, nitroDocument);
        }

        if (HuaweiVirtCca.VirtCcaTokenDetector.Detect(data) is { } virtCcaToken)
        {
            return new Evidence(EvidenceFormats.HuaweiVirtCcaToken, virtCcaToken);
        }

        if (AzureVtpm.AzureVtpmDetector.LooksLikeEvidence(data))
        {
            return new Evidence(EvidenceFormats.AzureVtpm, data);
        }

        if (ArmCca.CcaTokenDetector.LooksLikeToken(data))
        {
            return new Evidence(EvidenceFormats.ArmCcaToken, data);
        }

        return new Evidence(EvidenceFormats.Unknown, data);
    }
}
