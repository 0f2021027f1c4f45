namespace SecGear.CryptoModule;

/// <summary>What a key may be used for, fixed at creation and enforced inside the enclave (it is bound into the key blob).</summary>
public enum KeyUsage : byte
{
    /// <summary>Sign and verify (EC, RSA, SM2 keys).</summary>
    Sign = 1,

    /// <summary>Encrypt and decrypt data, and generate data keys (AES, SM4, RSA, SM2 keys).</summary>
    Encrypt = 2,

    /// <summary>Wrap and unwrap other keys, and generate data keys (AES, SM4, RSA keys).</summary>
    Wrap = 3,

    /// <summary>Compute and verify MACs (HMAC keys).</summary>
    Mac = 4,
}
