namespace SecGear.ConfidentialVm;

/// <summary>
/// Environment variables that point the engine (host detection and runner alike; the runner inherits the host's
/// environment) at another configfs-tsm than the kernel's.
/// </summary>
public static class ConfidentialVmEnvironment
{
    /// <summary>Report root to use instead of <c>/sys/kernel/config/tsm/report</c>.</summary>
    public const string TsmRoot = "SECGEAR_CVM_TSM_ROOT";

    /// <summary>
    /// Path of an emulation description (<see cref="Emulation.EmulatedTsmReport.Load"/>): the engine then talks to an
    /// in-process emulated configfs-tsm serving a recorded outblob. For tests and trying the engine without hardware;
    /// evidence produced this way never verifies as bound hardware evidence.
    /// </summary>
    public const string Emulation = "SECGEAR_CVM_EMULATION";

    /// <summary>
    /// Base URL of the SecGear attestation service whose key broker releases sealing roots on TEEs without a sealing
    /// key (TDX, CCA): "sealing by attestation". <c>https://</c> (plain <c>http://</c> only to a loopback address).
    /// Unset = sealing is refused there.
    /// </summary>
    public const string KeyBroker = "SECGEAR_CVM_KEY_BROKER";

    /// <summary>The appraisal policy id the key broker applies (required with <see cref="KeyBroker"/>).</summary>
    public const string KeyBrokerPolicy = "SECGEAR_CVM_KEY_BROKER_POLICY";

    /// <summary>
    /// Path of the key broker's token-signing public keys, a JSON Web Key Set (the service's
    /// <c>/.well-known/jwks.json</c>, copied over a channel the operator trusts; required with <see cref="KeyBroker"/>).
    /// A sealing root is used only when its response is signed by one of these keys. List the next key too before the
    /// service rotates (it publishes keys ahead of use).
    /// </summary>
    public const string KeyBrokerKeys = "SECGEAR_CVM_KEY_BROKER_KEYS";

    /// <summary>
    /// The TPM to look for an Azure HCL report in instead of <c>/dev/tpmrm0</c>: a device path, or <c>unix:PATH</c> for
    /// a TPM on a Unix socket (swtpm; how the tests run the Azure vTPM path).
    /// </summary>
    public const string Tpm = "SECGEAR_CVM_TPM";

    /// <summary>
    /// The SEV-SNP VMPL (0-3) the engine requests reports and derived keys at: configfs-tsm's <c>privlevel</c> (written
    /// only when set) and <c>/dev/sev-guest</c> (0 when unset). Read only on SEV-SNP guests; elsewhere ignored. A guest
    /// under an SVSM runs above VMPL 0 and must ask at its own level or higher.
    /// </summary>
    public const string Vmpl = "SECGEAR_CVM_VMPL";
}
