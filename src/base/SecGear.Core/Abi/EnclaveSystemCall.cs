using SecGear.Identity;

namespace SecGear.Abi;

/// <summary>
/// The system calls every enclave serves whatever its EDL says (the analogue of Open Enclave's built-in system
/// ECALLs): the trusted runtime handles them itself, through <c>EnclaveRuntime.SystemCall</c>, so they need no
/// contract binding and no user code. Engines carry them in a channel of their own, apart from contract ECALLs. The
/// values are part of the host/enclave ABI: never renumber them.
/// </summary>
public enum EnclaveSystemCall
{
    /// <summary>
    /// Evidence of the enclave's identity from its attesting platform. Request: the report data, 0 to
    /// <see cref="EvidenceLimits.MaxReportDataLength"/> bytes (zero-padded by the platform). Response: the evidence
    /// bytes, exactly as <c>IAttestingPlatform.GetEvidence</c> returned them.
    /// </summary>
    GetEvidence = 1,
}
