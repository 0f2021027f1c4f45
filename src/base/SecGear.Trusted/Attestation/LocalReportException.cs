namespace SecGear.Trusted.Attestation;

/// <summary>
/// A local report or local attestation message was rejected: wrong length or shape, addressed to another enclave,
/// made on another platform, altered (its MAC does not verify), or not bound to this key exchange. The message says
/// which; it never contains key material.
/// </summary>
public sealed class LocalReportException(string message, Exception? innerException = null)
    : SecGearException(EnclaveStatus.AttestationFailed, message, innerException);
