namespace SecGear.Trusted.Attestation;

/// <summary>
/// A local report was rejected: wrong length, addressed to another enclave, made on another platform, or altered
/// (its MAC does not verify). The message says which; it never contains key material.
/// </summary>
public sealed class LocalReportException(string message)
    : SecGearException(EnclaveStatus.AttestationFailed, message);
