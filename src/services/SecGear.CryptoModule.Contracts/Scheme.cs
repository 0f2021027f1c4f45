namespace SecGear.CryptoModule;

/// <summary>The algorithm of one operation with a key (a signature scheme, a cipher mode, a digest).</summary>
public enum Scheme : byte
{
    /// <summary>No scheme: the key spec's default (ECDSA with the curve's hash, RSA PSS-SHA-256, SM2-SM3, GCM, HMAC).</summary>
    Default = 0,

    /// <summary>ECDSA over a digest the caller computed (PKCS#11 <c>CKM_ECDSA</c>); r‖s output.</summary>
    EcdsaDigest = 1,

    /// <summary>ECDSA with SHA-256 over the message; r‖s output.</summary>
    EcdsaSha256 = 2,

    /// <summary>ECDSA with SHA-384 over the message; r‖s output.</summary>
    EcdsaSha384 = 3,

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-256.</summary>
    RsaPkcs1Sha256 = 10,

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-384.</summary>
    RsaPkcs1Sha384 = 11,

    /// <summary>RSASSA-PKCS1-v1_5 with SHA-512.</summary>
    RsaPkcs1Sha512 = 12,

    /// <summary>RSASSA-PSS with SHA-256, MGF1-SHA-256, salt = hash length.</summary>
    RsaPssSha256 = 13,

    /// <summary>RSASSA-PSS with SHA-384, MGF1-SHA-384, salt = hash length.</summary>
    RsaPssSha384 = 14,

    /// <summary>RSASSA-PSS with SHA-512, MGF1-SHA-512, salt = hash length.</summary>
    RsaPssSha512 = 15,

    /// <summary>RSASSA-PKCS1-v1_5 block over the caller's bytes as given (PKCS#11 <c>CKM_RSA_PKCS</c>: usually a DigestInfo), at most k-11 bytes.</summary>
    RsaPkcs1Raw = 19,

    /// <summary>RSAES-OAEP with SHA-256 and MGF1-SHA-256.</summary>
    RsaOaepSha256 = 16,

    /// <summary>RSAES-OAEP with SHA-1 and MGF1-SHA-1 (PKCS#11 clients' common default).</summary>
    RsaOaepSha1 = 17,

    /// <summary>RSAES-PKCS1-v1_5 encryption (compatibility only).</summary>
    RsaPkcs1Encrypt = 18,

    /// <summary>SM2 signature with SM3 over Z_A ‖ message (the user id defaults to 1234567812345678).</summary>
    Sm2Sm3 = 20,

    /// <summary>SM2 public-key encryption, C1‖C3‖C2 (GB/T 32918.4).</summary>
    Sm2Encrypt = 21,

    /// <summary>GCM (AES or SM4): 12-byte IV, 16-byte tag appended to the ciphertext.</summary>
    Gcm = 30,

    /// <summary>CBC (AES or SM4) with PKCS#7 padding; 16-byte IV.</summary>
    Cbc = 31,

    /// <summary>ECB (AES or SM4) with PKCS#7 padding; compatibility only, leaks equal blocks.</summary>
    Ecb = 32,

    /// <summary>AES key wrap (RFC 3394): input a multiple of 8 bytes, at least 16.</summary>
    AesKeyWrap = 33,

    /// <summary>The key's HMAC (SHA-256, SHA-384 or SM3, from its spec).</summary>
    Hmac = 40,

    /// <summary>SHA-256 digest.</summary>
    Sha256 = 50,

    /// <summary>SHA-384 digest.</summary>
    Sha384 = 51,

    /// <summary>SHA-512 digest.</summary>
    Sha512 = 52,

    /// <summary>SM3 digest.</summary>
    Sm3 = 53,
}
