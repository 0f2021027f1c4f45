namespace SecGear.CryptoModule;

/// <summary>The first byte of every enclave response: success, or why the enclave refused (the message follows, never a secret).</summary>
public enum EnclaveStatus : byte
{
    /// <summary>Done; the results follow.</summary>
    Ok = 0,

    /// <summary>The request bytes are malformed (lengths, unknown op, trailing bytes).</summary>
    MalformedRequest = 1,

    /// <summary>The enclave has no store wrapping key yet (<see cref="EnclaveOp.Initialize"/> first).</summary>
    NotInitialized = 2,

    /// <summary>The key blob does not open with the store key under the given tenant, id, version, spec and usage.</summary>
    KeyBlobInvalid = 3,

    /// <summary>The key's usage does not allow this operation.</summary>
    WrongUsage = 4,

    /// <summary>The scheme does not apply to the key's spec.</summary>
    UnsupportedScheme = 5,

    /// <summary>An input is out of range (length, IV size, data key size).</summary>
    InvalidInput = 6,

    /// <summary>The ciphertext is malformed, truncated or fails authentication.</summary>
    InvalidCiphertext = 7,

    /// <summary>The sealed store key does not unseal in this enclave (another measurement or platform).</summary>
    StoreKeyUnavailable = 8,

    /// <summary>The enclave's platform cannot produce attestation evidence.</summary>
    NotAttestable = 9,
}
