namespace SecGear.ConfidentialVm;

/// <summary>The TEE under a confidential-VM enclave, as recorded in <see cref="ConfidentialVmEvidence"/>.</summary>
public enum ConfidentialVmTee : byte
{
    /// <summary>Not a valid value in evidence.</summary>
    Unknown = 0,

    /// <summary>Intel TDX: the hardware evidence is a TDX quote (v4/v5); configfs-tsm provider <c>tdx_guest</c>.</summary>
    Tdx = 1,

    /// <summary>AMD SEV-SNP: the hardware evidence is an attestation report, the auxiliary blob its certificate table; provider <c>sev_guest</c>.</summary>
    SevSnp = 2,

    /// <summary>Arm CCA: the hardware evidence is a CCA attestation token; provider <c>arm_cca_guest</c>.</summary>
    Cca = 3,
}
