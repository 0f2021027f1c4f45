using SecGear.ConfidentialVm;
using SecGear.Simulation;

namespace SecGear.Attestation;

/// <summary>Evidence format ids. A verifier plug-in declares the format it handles.</summary>
public static class EvidenceFormats
{
    /// <summary>Intel DCAP ECDSA quote: SGX v3, TDX v4 and v5.</summary>
    public const string IntelDcapQuote = "intel-dcap-quote";

    /// <summary>AMD SEV-SNP attestation report (versions 2, 3 and 5; 1184 bytes).</summary>
    public const string AmdSevSnpReport = "amd-sev-snp-report";

    /// <summary>AWS Nitro Enclaves attestation document (COSE_Sign1, tagged or untagged).</summary>
    public const string AwsNitroDocument = "aws-nitro-document";

    /// <summary>Arm CCA attestation token (CBOR tag 399 collection of platform and realm tokens).</summary>
    public const string ArmCcaToken = "arm-cca-token";

    /// <summary>NVIDIA GPU evidence: an SPDM 1.1 signed measurement report with its device certificate chain (see <see cref="NvidiaGpu.NvidiaGpuEvidence"/>).</summary>
    public const string NvidiaGpuReport = "nvidia-gpu-spdm";

    /// <summary>Kunpeng virtCCA token (CBOR tag 399 collection: realm token with an RSA realm key, platform token signed by the device AIK).</summary>
    public const string HuaweiVirtCcaToken = "huawei-virtcca-token";

    /// <summary>Azure confidential-VM vTPM evidence: trustee JSON envelope of an HCL report (SEV-SNP or TDX) and a TPM quote.</summary>
    public const string AzureVtpm = "azure-vtpm";

    /// <summary>SecGear.NET confidential-VM engine evidence: the enclave identity bound into TDX, SEV-SNP or CCA hardware evidence (see <see cref="ConfidentialVmEvidence"/>).</summary>
    public const string ConfidentialVm = ConfidentialVmEvidence.FormatId;

    /// <summary>SecGear simulation evidence, signed by a simulated platform attestation key (see <see cref="SimulationEvidence"/>).</summary>
    public const string SecGearSimulation = SimulationEvidence.FormatId;

    /// <summary>Content that no registered format recognised.</summary>
    public const string Unknown = "unknown";
}
