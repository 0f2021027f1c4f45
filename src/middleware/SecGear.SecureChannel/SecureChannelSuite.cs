namespace SecGear.SecureChannel;

/// <summary>A cipher suite: key exchange, key derivation hash and record cipher. The wire value is the enum value.</summary>
public enum SecureChannelSuite : ushort
{
    /// <summary>ECDHE on P-256, HKDF-SHA-256, AES-256-GCM.</summary>
    EcdheP256Aes256GcmSha256 = 1,

    /// <summary>ECDHE on P-384, HKDF-SHA-384, AES-256-GCM.</summary>
    EcdheP384Aes256GcmSha384 = 2,

    /// <summary>
    /// The ShangMi suite: ECDHE on the SM2 curve sm2p256v1, HKDF-SM3 (HMAC-SM3), SM4-GCM with a 128-bit key — the
    /// algorithms of RFC 8998's TLS_SM4_GCM_SM3 with curveSM2.
    /// </summary>
    EcdheSm2Sm4GcmSm3 = 3,
}
