namespace SecGear.Attestation;

/// <summary>The kind of trusted execution environment that produced the evidence.</summary>
public enum TeeKind
{
    /// <summary>Unknown or not applicable.</summary>
    Unknown = 0,

    /// <summary>Intel SGX enclave.</summary>
    Sgx,

    /// <summary>Intel TDX trust domain.</summary>
    Tdx,

    /// <summary>AMD SEV-SNP guest.</summary>
    SevSnp,

    /// <summary>AWS Nitro enclave.</summary>
    Nitro,

    /// <summary>Arm CCA realm.</summary>
    Cca,

    /// <summary>The SecGear simulation engine.</summary>
    Simulation,

    /// <summary>An NVIDIA GPU (or NVSwitch) in confidential-computing mode, attested by SPDM measurements.</summary>
    NvidiaGpu,

    /// <summary>Huawei Kunpeng virtCCA confidential VM (realm).</summary>
    VirtCca,
}
