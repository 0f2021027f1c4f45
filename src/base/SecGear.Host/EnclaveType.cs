namespace SecGear.Host;

/// <summary>Which engine runs an enclave.</summary>
public enum EnclaveType
{
    /// <summary>The best engine available on this machine (hardware engines first), falling back to <see cref="Simulation"/>.</summary>
    Auto = 0,

    /// <summary>The simulation engine: the enclave runs in its own SecGear.Runner process behind shared memory.</summary>
    Simulation = 1,

    /// <summary>Debug engine: the enclave runs in the host process (same copy semantics, no isolation).</summary>
    InProcess = 2,

    /// <summary>
    /// The confidential-VM engine: the enclave runs in a runner process as on <see cref="Simulation"/>, and its evidence
    /// and sealing keys come from the confidential VM's TEE (TDX, SEV-SNP, Arm CCA) through configfs-tsm or the vendor
    /// guest device. See docs/confidential-vm.md.
    /// </summary>
    ConfidentialVm = 3,
}
