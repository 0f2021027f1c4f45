namespace SecGear.CryptoModule;

/// <summary>The operations the crypto module's enclave serves (the first byte of an <see cref="EnclaveRequest"/> after the version).</summary>
public enum EnclaveOp : byte
{
    /// <summary>Installs the store wrapping key: unseals <c>Data</c> if given, else creates one; answers the sealed key and its check value.</summary>
    Initialize = 1,

    /// <summary>Generates a key of <c>Spec</c> for <c>Usage</c> inside the enclave; answers the wrapped key blob and the public key (empty for secret keys).</summary>
    GenerateKey = 2,

    /// <summary>Signs <c>Data</c> (message or digest, per <c>Scheme</c>); <c>Extra</c> is the SM2 user id.</summary>
    Sign = 3,

    /// <summary>Verifies signature <c>Extra</c> over <c>Data</c>; answers one byte, 1 valid or 0 invalid. SM2 takes its user id in <c>Iv</c>.</summary>
    Verify = 4,

    /// <summary>Encrypts <c>Data</c> (IV in <c>Iv</c> or generated, AAD in <c>Aad</c>); answers ciphertext and IV.</summary>
    Encrypt = 5,

    /// <summary>Decrypts <c>Data</c>; answers the plaintext.</summary>
    Decrypt = 6,

    /// <summary>Computes the key's MAC over <c>Data</c>.</summary>
    Mac = 7,

    /// <summary>Verifies MAC <c>Extra</c> over <c>Data</c> in constant time; answers one byte.</summary>
    MacVerify = 8,

    /// <summary>Generates a data key of <c>Extra[0]</c> bytes (16..64) and answers it in plaintext and encrypted under the key (ciphertext, IV).</summary>
    GenerateDataKey = 9,

    /// <summary>Hashes <c>Data</c> with <c>Scheme</c> (no key).</summary>
    Digest = 10,

    /// <summary>Answers <c>Extra[0..4]</c> (little-endian) random bytes from the enclave's generator (no key).</summary>
    Random = 11,

    /// <summary>
    /// Starts the key-broker flow: the enclave creates a one-use P-256 recipient key and answers its SubjectPublicKeyInfo
    /// and evidence whose report data is the attestation service's binding of nonce <c>Data</c> and that key.
    /// </summary>
    BrokerBegin = 12,

    /// <summary>
    /// Installs the store wrapping key released by the key broker: <c>Data</c> is the sealed resource (JSON), <c>Extra</c>
    /// its path; only the recipient key of <see cref="BrokerBegin"/> opens it. Answers nothing and the key's check value.
    /// </summary>
    BrokerInstall = 13,

    /// <summary>
    /// Answers the store's import public key (P-256 SubjectPublicKeyInfo, derived from the store key) and evidence whose
    /// report data is <see cref="KeyImportParameters.ReportData"/> of nonce <c>Data</c> and that key.
    /// </summary>
    ImportParameters = 14,

    /// <summary>
    /// Imports key material wrapped to the import key (<see cref="KeyImportParameters"/>): ciphertext in <c>Data</c>, GCM
    /// nonce in <c>Iv</c>, ephemeral public key in <c>Aad</c>, tag in <c>Extra</c>; spec, usage, tenant and key id as for
    /// <see cref="GenerateKey"/>. Answers the wrapped key blob and the public key.
    /// </summary>
    ImportKey = 15,

    /// <summary>Answers evidence whose report data the enclave computes itself: <see cref="ModuleAttestation.ReportData"/> of nonce <c>Data</c> and its store key check.</summary>
    Attest = 16,

    /// <summary>
    /// Several key operations in one crossing: <c>Data</c> is a sequence of <c>length(4) request</c>, none of them a
    /// batch; answers in <c>First</c> the sequence of <c>length(4) response</c> in the same order.
    /// </summary>
    Batch = 17,
}
