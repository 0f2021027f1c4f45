namespace SecGear.Host;

/// <summary>Creation flags (the analogue of secGear's <c>SECGEAR_DEBUG_FLAG</c>).</summary>
[Flags]
public enum EnclaveFlags
{
    /// <summary>A production enclave.</summary>
    None = 0,

    /// <summary>
    /// A debug enclave: allowed only for images whose manifest is marked debug; errors leaving the enclave carry
    /// stack traces.
    /// </summary>
    Debug = 1,
}
