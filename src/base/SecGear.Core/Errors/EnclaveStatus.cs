namespace SecGear;

/// <summary>
/// Why an enclave operation failed (the analogue of secGear's <c>cc_enclave_result_t</c>). Every
/// <see cref="SecGearException"/> carries one, so callers can switch on it without string matching.
/// </summary>
public enum EnclaveStatus
{
    /// <summary>Success.</summary>
    Success = 0,

    /// <summary>Bytes that crossed the host/enclave boundary were malformed (truncated, oversized, inconsistent).</summary>
    InvalidMarshalling,

    /// <summary>The enclave process or context is gone; no further call can succeed.</summary>
    EnclaveLost,

    /// <summary>The host and the enclave were built from different contracts (contract hash differs).</summary>
    ContractMismatch,

    /// <summary>The enclave does not implement the requested contract.</summary>
    ContractNotFound,

    /// <summary>The function id is unknown, or the ECALL is private and no OCALL in progress allows it.</summary>
    CallNotAllowed,

    /// <summary>All enclave threads (TCS) are busy.</summary>
    OutOfThreads,

    /// <summary>A request or response is larger than the configured limit.</summary>
    PayloadTooLarge,

    /// <summary>The ECALL implementation threw.</summary>
    EcallFailed,

    /// <summary>The host's OCALL implementation threw.</summary>
    OcallFailed,

    /// <summary>The enclave has been disposed.</summary>
    Disposed,

    /// <summary>The enclave image is malformed, tampered with, or its signature does not verify.</summary>
    InvalidImage,

    /// <summary>A sealed blob could not be unsealed (tampered, truncated, wrong enclave, signer or platform).</summary>
    UnsealFailed,

    /// <summary>The engine does not support the requested operation or feature.</summary>
    NotSupported,

    /// <summary>Invalid argument or configuration.</summary>
    InvalidArgument,

    /// <summary>Attestation evidence, collateral or policy was rejected (see SecGear.Attestation.AttestationFailure).</summary>
    AttestationFailed,

    /// <summary>Every task of the switchless pool is in use and rollback to a regular call is off.</summary>
    SwitchlessPoolFull,

    /// <summary>A shared-memory token is unknown, freed, or belongs to another enclave, or an access is out of bounds.</summary>
    SharedMemoryInvalid,

    /// <summary>A remote SecGear service (e.g. the attestation service) refused a request, answered badly or could not be reached.</summary>
    ServiceRequestFailed,
}
