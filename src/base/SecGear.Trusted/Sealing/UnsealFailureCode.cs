namespace SecGear.Trusted.Sealing;

/// <summary>Why a sealed blob was refused (docs/sealing.md, "Failures").</summary>
public enum UnsealFailureCode
{
    /// <summary>The blob is shorter than its header, or than the lengths its header declares.</summary>
    Truncated = 1,

    /// <summary>The blob does not start with the sealed-blob magic, or has bytes beyond its declared lengths.</summary>
    Malformed,

    /// <summary>The blob format version is not one this runtime understands.</summary>
    UnsupportedVersion,

    /// <summary>The blob names an unknown seal policy.</summary>
    UnsupportedPolicy,

    /// <summary>A declared length exceeds <see cref="EnclaveSealer.MaxDataLength"/>.</summary>
    TooLarge,

    /// <summary>The blob was sealed by a newer security version than this enclave's (SGX semantics: no rollback).</summary>
    SecurityVersionTooLow,

    /// <summary>
    /// Decryption failed: the blob or its additional data was modified, or it was sealed by another enclave
    /// (Enclave policy), another signer or product (Signer policy), a debug/production counterpart, or on a platform
    /// with another platform secret. These cases are indistinguishable by design.
    /// </summary>
    AuthenticationFailed,
}
