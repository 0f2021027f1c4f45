namespace SecGear.CryptoModule;

/// <summary>The kind and size of a key; fixed for the key's life (every version has the same spec).</summary>
public enum KeySpec : byte
{
    /// <summary>ECDSA on NIST P-256.</summary>
    EcP256 = 1,

    /// <summary>ECDSA on NIST P-384.</summary>
    EcP384 = 2,

    /// <summary>RSA with a 2048-bit modulus.</summary>
    Rsa2048 = 3,

    /// <summary>RSA with a 3072-bit modulus.</summary>
    Rsa3072 = 4,

    /// <summary>RSA with a 4096-bit modulus.</summary>
    Rsa4096 = 5,

    /// <summary>SM2 (GB/T 32918) on sm2p256v1.</summary>
    Sm2 = 6,

    /// <summary>AES with a 256-bit key.</summary>
    Aes256 = 7,

    /// <summary>SM4 (GB/T 32907), 128-bit key.</summary>
    Sm4 = 8,

    /// <summary>HMAC-SHA-256 with a 256-bit key.</summary>
    HmacSha256 = 9,

    /// <summary>HMAC-SHA-384 with a 384-bit key.</summary>
    HmacSha384 = 10,

    /// <summary>HMAC-SM3 with a 256-bit key.</summary>
    HmacSm3 = 11,
}
