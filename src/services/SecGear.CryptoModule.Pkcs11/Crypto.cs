using System.Buffers.Binary;
using SecGear.CryptoModule.Binary;

namespace SecGear.CryptoModule.Pkcs11;

/// <summary>The mechanisms: what each maps to in the module's API, and the calls themselves.</summary>
internal static class Crypto
{
    public static readonly ulong[] Mechanisms =
    [
        Ck.CKM_EC_KEY_PAIR_GEN, Ck.CKM_ECDSA, Ck.CKM_ECDSA_SHA256, Ck.CKM_ECDSA_SHA384,
        Ck.CKM_RSA_PKCS_KEY_PAIR_GEN, Ck.CKM_RSA_PKCS, Ck.CKM_SHA256_RSA_PKCS, Ck.CKM_SHA384_RSA_PKCS, Ck.CKM_SHA512_RSA_PKCS,
        Ck.CKM_RSA_PKCS_PSS, Ck.CKM_SHA256_RSA_PKCS_PSS, Ck.CKM_SHA384_RSA_PKCS_PSS, Ck.CKM_SHA512_RSA_PKCS_PSS, Ck.CKM_RSA_PKCS_OAEP,
        Ck.CKM_AES_KEY_GEN, Ck.CKM_AES_GCM, Ck.CKM_AES_CBC_PAD, Ck.CKM_SHA_1, Ck.CKM_SHA256, Ck.CKM_SHA384, Ck.CKM_SHA512,
        Ck.CKM_GENERIC_SECRET_KEY_GEN, Ck.CKM_SHA256_HMAC, Ck.CKM_SHA384_HMAC,
        Ck.CKM_SECGEAR_SM2_KEY_PAIR_GEN, Ck.CKM_SECGEAR_SM2_SM3, Ck.CKM_SECGEAR_SM2_ENCRYPT, Ck.CKM_SECGEAR_SM4_KEY_GEN, Ck.CKM_SECGEAR_SM4_GCM,
        Ck.CKM_SECGEAR_SM4_CBC_PAD, Ck.CKM_SECGEAR_SM3_HMAC_KEY_GEN, Ck.CKM_SECGEAR_SM3_HMAC, Ck.CKM_SECGEAR_SM3,
    ];

    public static (ulong Min, ulong Max, ulong Flags) MechanismInfo(ulong mechanism) => mechanism switch
    {
        Ck.CKM_EC_KEY_PAIR_GEN => (256, 384, Ck.CKF_HW | Ck.CKF_GENERATE_KEY_PAIR | Ck.CKF_EC_F_P | Ck.CKF_EC_NAMEDCURVE | Ck.CKF_EC_UNCOMPRESS),
        Ck.CKM_ECDSA or Ck.CKM_ECDSA_SHA256 or Ck.CKM_ECDSA_SHA384 => (256, 384, Ck.CKF_HW | Ck.CKF_SIGN | Ck.CKF_VERIFY | Ck.CKF_EC_F_P | Ck.CKF_EC_NAMEDCURVE | Ck.CKF_EC_UNCOMPRESS),
        Ck.CKM_RSA_PKCS_KEY_PAIR_GEN => (2048, 4096, Ck.CKF_HW | Ck.CKF_GENERATE_KEY_PAIR),
        Ck.CKM_RSA_PKCS or Ck.CKM_RSA_PKCS_OAEP => (2048, 4096, Ck.CKF_HW | Ck.CKF_ENCRYPT | Ck.CKF_DECRYPT | (mechanism == Ck.CKM_RSA_PKCS ? Ck.CKF_SIGN | Ck.CKF_VERIFY : 0)),
        Ck.CKM_SHA256_RSA_PKCS or Ck.CKM_SHA384_RSA_PKCS or Ck.CKM_SHA512_RSA_PKCS or Ck.CKM_RSA_PKCS_PSS
            or Ck.CKM_SHA256_RSA_PKCS_PSS or Ck.CKM_SHA384_RSA_PKCS_PSS or Ck.CKM_SHA512_RSA_PKCS_PSS => (2048, 4096, Ck.CKF_HW | Ck.CKF_SIGN | Ck.CKF_VERIFY),
        Ck.CKM_AES_KEY_GEN => (32, 32, Ck.CKF_HW | Ck.CKF_GENERATE),
        Ck.CKM_AES_GCM or Ck.CKM_AES_CBC_PAD => (32, 32, Ck.CKF_HW | Ck.CKF_ENCRYPT | Ck.CKF_DECRYPT),
        Ck.CKM_SHA_1 or Ck.CKM_SHA256 or Ck.CKM_SHA384 or Ck.CKM_SHA512 or Ck.CKM_SECGEAR_SM3 => (0, 0, Ck.CKF_DIGEST),
        Ck.CKM_GENERIC_SECRET_KEY_GEN => (32, 48, Ck.CKF_HW | Ck.CKF_GENERATE),
        Ck.CKM_SHA256_HMAC or Ck.CKM_SHA384_HMAC => (32, 48, Ck.CKF_HW | Ck.CKF_SIGN | Ck.CKF_VERIFY),
        Ck.CKM_SECGEAR_SM2_KEY_PAIR_GEN => (256, 256, Ck.CKF_HW | Ck.CKF_GENERATE_KEY_PAIR),
        Ck.CKM_SECGEAR_SM2_SM3 => (256, 256, Ck.CKF_HW | Ck.CKF_SIGN | Ck.CKF_VERIFY),
        Ck.CKM_SECGEAR_SM2_ENCRYPT => (256, 256, Ck.CKF_HW | Ck.CKF_ENCRYPT | Ck.CKF_DECRYPT),
        Ck.CKM_SECGEAR_SM4_KEY_GEN => (16, 16, Ck.CKF_HW | Ck.CKF_GENERATE),
        Ck.CKM_SECGEAR_SM4_GCM or Ck.CKM_SECGEAR_SM4_CBC_PAD => (16, 16, Ck.CKF_HW | Ck.CKF_ENCRYPT | Ck.CKF_DECRYPT),
        Ck.CKM_SECGEAR_SM3_HMAC_KEY_GEN => (32, 32, Ck.CKF_HW | Ck.CKF_GENERATE),
        Ck.CKM_SECGEAR_SM3_HMAC => (32, 32, Ck.CKF_HW | Ck.CKF_SIGN | Ck.CKF_VERIFY),
        _ => throw new CkrException(Ck.CKR_MECHANISM_INVALID, $"mechanism 0x{mechanism:x}"),
    };

    /// <summary>Sign/verify: the scheme and whether the data is a digest, for a mechanism on a key.</summary>
    public static unsafe Operation SignatureOperation(CkMechanism* mechanism, TokenObject key, bool signing)
    {
        ulong m = mechanism->Mechanism;
        if (key.Key.Usage == KeyUsage.Mac)
        {
            return MacOperation(m, key);
        }

        if (signing ? key.Class != Ck.CKO_PRIVATE_KEY : key.Class == Ck.CKO_SECRET_KEY)
        {
            throw new CkrException(Ck.CKR_KEY_TYPE_INCONSISTENT, "sign with a private key, verify with a public or private key");
        }

        if (m == Ck.CKM_SECGEAR_SM2_SM3 || key.Key.Spec == KeySpec.Sm2)
        {
            return Sm2SignatureOperation(mechanism, key);
        }

        if (key.Key.Usage != KeyUsage.Sign)
        {
            throw new CkrException(Ck.CKR_KEY_FUNCTION_NOT_PERMITTED, "the key's usage is not Sign");
        }

        bool ec = key.KeyType == Ck.CKK_EC;
        (Scheme scheme, bool prehashed) = m switch
        {
            Ck.CKM_ECDSA when ec => (Scheme.EcdsaDigest, true),
            Ck.CKM_ECDSA_SHA256 when ec => (Scheme.EcdsaSha256, false),
            Ck.CKM_ECDSA_SHA384 when ec => (Scheme.EcdsaSha384, false),
            Ck.CKM_SHA256_RSA_PKCS when !ec => (Scheme.RsaPkcs1Sha256, false),
            Ck.CKM_SHA384_RSA_PKCS when !ec => (Scheme.RsaPkcs1Sha384, false),
            Ck.CKM_SHA512_RSA_PKCS when !ec => (Scheme.RsaPkcs1Sha512, false),
            Ck.CKM_RSA_PKCS when !ec => (Scheme.RsaPkcs1Raw, false),
            Ck.CKM_RSA_PKCS_PSS when !ec => (PssScheme(mechanism, null), true),
            Ck.CKM_SHA256_RSA_PKCS_PSS when !ec => (PssScheme(mechanism, Scheme.RsaPssSha256), false),
            Ck.CKM_SHA384_RSA_PKCS_PSS when !ec => (PssScheme(mechanism, Scheme.RsaPssSha384), false),
            Ck.CKM_SHA512_RSA_PKCS_PSS when !ec => (PssScheme(mechanism, Scheme.RsaPssSha512), false),
            Ck.CKM_ECDSA or Ck.CKM_ECDSA_SHA256 or Ck.CKM_ECDSA_SHA384 or Ck.CKM_SHA256_RSA_PKCS or Ck.CKM_SHA384_RSA_PKCS or Ck.CKM_SHA512_RSA_PKCS
                or Ck.CKM_RSA_PKCS or Ck.CKM_RSA_PKCS_PSS or Ck.CKM_SHA256_RSA_PKCS_PSS or Ck.CKM_SHA384_RSA_PKCS_PSS or Ck.CKM_SHA512_RSA_PKCS_PSS
                => throw new CkrException(Ck.CKR_KEY_TYPE_INCONSISTENT, $"mechanism 0x{m:x} does not fit a {key.Key.Spec} key"),
            _ => throw new CkrException(Ck.CKR_MECHANISM_INVALID, $"mechanism 0x{m:x} cannot sign or verify"),
        };
        return new Operation(m, key) { Scheme = scheme, Prehashed = prehashed };
    }

    /// <summary>HMAC through C_Sign/C_Verify: the mechanism must name the key's hash.</summary>
    private static Operation MacOperation(ulong m, TokenObject key)
    {
        bool fits = (m, key.Key.Spec) is (Ck.CKM_SHA256_HMAC, KeySpec.HmacSha256) or (Ck.CKM_SHA384_HMAC, KeySpec.HmacSha384) or (Ck.CKM_SECGEAR_SM3_HMAC, KeySpec.HmacSm3);
        return fits
            ? new Operation(m, key) { Mac = true }
            : throw new CkrException(m is Ck.CKM_SHA256_HMAC or Ck.CKM_SHA384_HMAC or Ck.CKM_SECGEAR_SM3_HMAC ? Ck.CKR_KEY_TYPE_INCONSISTENT : Ck.CKR_MECHANISM_INVALID,
                $"mechanism 0x{m:x} does not fit a {key.Key.Spec} key");
    }

    /// <summary>SM2 with SM3 over Z_A ‖ message; the optional mechanism parameter is the signer id (default 1234567812345678).</summary>
    private static unsafe Operation Sm2SignatureOperation(CkMechanism* mechanism, TokenObject key)
    {
        if (mechanism->Mechanism != Ck.CKM_SECGEAR_SM2_SM3 || key.Key.Spec != KeySpec.Sm2)
        {
            throw new CkrException(Ck.CKR_KEY_TYPE_INCONSISTENT, $"mechanism 0x{mechanism->Mechanism:x} does not fit a {key.Key.Spec} key");
        }

        if (key.Key.Usage != KeyUsage.Sign)
        {
            throw new CkrException(Ck.CKR_KEY_FUNCTION_NOT_PERMITTED, "the key's usage is not Sign");
        }

        if (mechanism->ParameterLen > 1024 || (mechanism->ParameterLen > 0 && mechanism->Parameter is null))
        {
            throw new CkrException(Ck.CKR_MECHANISM_PARAM_INVALID, "the SM2 signer id is at most 1024 bytes");
        }

        byte[]? userId = mechanism->ParameterLen == 0 ? null : new ReadOnlySpan<byte>(mechanism->Parameter, (int)mechanism->ParameterLen).ToArray();
        return new Operation(mechanism->Mechanism, key) { Scheme = Scheme.Sm2Sm3, UserId = userId };
    }

    /// <summary>Encrypt/decrypt: the scheme, IV and AAD for a mechanism on a key.</summary>
    public static unsafe Operation CipherOperation(CkMechanism* mechanism, TokenObject key, bool encrypting)
    {
        ulong m = mechanism->Mechanism;
        if (encrypting ? key.Class == Ck.CKO_PRIVATE_KEY : key.Class == Ck.CKO_PUBLIC_KEY)
        {
            throw new CkrException(Ck.CKR_KEY_TYPE_INCONSISTENT, "encrypt with a public or secret key, decrypt with a private or secret key");
        }

        if (key.Key.Usage is not (KeyUsage.Encrypt or KeyUsage.Wrap))
        {
            throw new CkrException(Ck.CKR_KEY_FUNCTION_NOT_PERMITTED, "the key's usage is not Encrypt");
        }

        bool aes = key.KeyType == Ck.CKK_AES;
        bool sm4 = key.KeyType == Ck.CKK_SECGEAR_SM4;
        switch (m)
        {
            case Ck.CKM_AES_GCM when aes:
            case Ck.CKM_SECGEAR_SM4_GCM when sm4:
            {
                if (mechanism->Parameter is null || mechanism->ParameterLen != (ulong)sizeof(CkGcmParams))
                {
                    throw new CkrException(Ck.CKR_MECHANISM_PARAM_INVALID, "GCM needs CK_GCM_PARAMS");
                }

                var gcm = (CkGcmParams*)mechanism->Parameter;
                if (gcm->IvLen != 12 || gcm->Iv is null || gcm->TagBits != 128 || gcm->AadLen > 1 << 20 || (gcm->AadLen > 0 && gcm->Aad is null))
                {
                    throw new CkrException(Ck.CKR_MECHANISM_PARAM_INVALID, "the module's GCM takes a 12-byte IV and a 128-bit tag");
                }

                return new Operation(m, key)
                {
                    Scheme = Scheme.Gcm,
                    Iv = new ReadOnlySpan<byte>(gcm->Iv, 12).ToArray(),
                    Aad = gcm->AadLen == 0 ? null : new ReadOnlySpan<byte>(gcm->Aad, (int)gcm->AadLen).ToArray(),
                };
            }

            case Ck.CKM_AES_CBC_PAD when aes:
            case Ck.CKM_SECGEAR_SM4_CBC_PAD when sm4:
                if (mechanism->Parameter is null || mechanism->ParameterLen != 16)
                {
                    throw new CkrException(Ck.CKR_MECHANISM_PARAM_INVALID, "CBC with padding needs a 16-byte IV");
                }

                return new Operation(m, key) { Scheme = Scheme.Cbc, Iv = new ReadOnlySpan<byte>(mechanism->Parameter, 16).ToArray() };

            case Ck.CKM_RSA_PKCS when !aes && key.KeyType == Ck.CKK_RSA:
                return new Operation(m, key) { Scheme = Scheme.RsaPkcs1Encrypt };

            case Ck.CKM_RSA_PKCS_OAEP when !aes && key.KeyType == Ck.CKK_RSA:
            {
                if (mechanism->Parameter is null || mechanism->ParameterLen != (ulong)sizeof(CkRsaOaepParams))
                {
                    throw new CkrException(Ck.CKR_MECHANISM_PARAM_INVALID, "CKM_RSA_PKCS_OAEP needs CK_RSA_PKCS_OAEP_PARAMS");
                }

                var oaep = (CkRsaOaepParams*)mechanism->Parameter;
                Scheme scheme = (oaep->HashAlg, oaep->Mgf) switch
                {
                    (Ck.CKM_SHA_1, Ck.CKG_MGF1_SHA1) => Scheme.RsaOaepSha1,
                    (Ck.CKM_SHA256, Ck.CKG_MGF1_SHA256) => Scheme.RsaOaepSha256,
                    _ => throw new CkrException(Ck.CKR_MECHANISM_PARAM_INVALID, "OAEP with SHA-1/MGF1-SHA-1 or SHA-256/MGF1-SHA-256 only"),
                };
                if (oaep->SourceDataLen != 0)
                {
                    throw new CkrException(Ck.CKR_MECHANISM_PARAM_INVALID, "OAEP labels are not supported");
                }

                return new Operation(m, key) { Scheme = scheme };
            }

            case Ck.CKM_SECGEAR_SM2_ENCRYPT when key.KeyType == Ck.CKK_SECGEAR_SM2:
                return new Operation(m, key) { Scheme = Scheme.Sm2Encrypt };

            case Ck.CKM_AES_GCM or Ck.CKM_AES_CBC_PAD or Ck.CKM_RSA_PKCS or Ck.CKM_RSA_PKCS_OAEP or Ck.CKM_SECGEAR_SM4_GCM or Ck.CKM_SECGEAR_SM4_CBC_PAD
                or Ck.CKM_SECGEAR_SM2_ENCRYPT:
                throw new CkrException(Ck.CKR_KEY_TYPE_INCONSISTENT, $"mechanism 0x{m:x} does not fit a {key.Key.Spec} key");
            default:
                throw new CkrException(Ck.CKR_MECHANISM_INVALID, $"mechanism 0x{m:x} cannot encrypt or decrypt");
        }
    }

    public static byte[] Sign(string credential, Operation operation, byte[] data)
    {
        if (Token.Connection.Binary is { } pool)
        {
            var op = operation.Mac
                ? new BinaryOperation(EnclaveOp.Mac, operation.Key!.Key.Id) { Data = data }
                : new BinaryOperation(EnclaveOp.Sign, operation.Key!.Key.Id)
                {
                    Scheme = operation.Scheme,
                    Flags = operation.Prehashed ? EnclaveRequestFlags.Prehashed : EnclaveRequestFlags.None,
                    Data = data,
                    Extra = operation.UserId,
                };
            return Token.Connection.Run(pool, credential, op, SignatureCode).First.ToArray();
        }

        if (operation.Mac)
        {
            return Token.Connection.Send(credential, HttpMethod.Post, CryptoModuleRoutes.KeyOperation(operation.Key!.Key.Id, "mac"),
                new MacRequest(data), CryptoModuleJson.Default.MacRequest, CryptoModuleJson.Default.MacResponse, SignatureCode).Mac;
        }

        return Token.Connection.Send(credential, HttpMethod.Post, CryptoModuleRoutes.KeyOperation(operation.Key!.Key.Id, "sign"),
            new SignRequest(data, operation.Scheme, operation.Prehashed, operation.UserId), CryptoModuleJson.Default.SignRequest, CryptoModuleJson.Default.SignResponse,
            SignatureCode).Signature;
    }

    public static bool Verify(string credential, Operation operation, byte[] data, byte[] signature)
    {
        if (signature.Length != operation.Key!.SignatureSize)
        {
            throw new CkrException(Ck.CKR_SIGNATURE_LEN_RANGE, $"a signature of {signature.Length} bytes ({operation.Key.SignatureSize} expected)");
        }

        if (Token.Connection.Binary is { } pool)
        {
            var op = operation.Mac
                ? new BinaryOperation(EnclaveOp.MacVerify, operation.Key.Key.Id) { Data = data, Extra = signature }
                : new BinaryOperation(EnclaveOp.Verify, operation.Key.Key.Id)
                {
                    Scheme = operation.Scheme,
                    Flags = operation.Prehashed ? EnclaveRequestFlags.Prehashed : EnclaveRequestFlags.None,
                    Data = data,
                    Extra = signature,
                    Iv = operation.UserId,
                };
            return Token.Connection.Run(pool, credential, op, SignatureCode).First.Span is [1];
        }

        if (operation.Mac)
        {
            return Token.Connection.Send(credential, HttpMethod.Post, CryptoModuleRoutes.KeyOperation(operation.Key.Key.Id, "mac-verify"),
                new MacVerifyRequest(data, signature), CryptoModuleJson.Default.MacVerifyRequest, CryptoModuleJson.Default.VerifyResponse, SignatureCode).Valid;
        }

        return Token.Connection.Send(credential, HttpMethod.Post, CryptoModuleRoutes.KeyOperation(operation.Key.Key.Id, "verify"),
            new VerifyRequest(data, signature, operation.Scheme, operation.Prehashed, operation.UserId), CryptoModuleJson.Default.VerifyRequest, CryptoModuleJson.Default.VerifyResponse,
            SignatureCode).Valid;
    }

    public static byte[] Encrypt(string credential, Operation operation, byte[] data)
    {
        if (Token.Connection.Binary is { } pool)
        {
            var op = new BinaryOperation(EnclaveOp.Encrypt, operation.Key!.Key.Id) { Scheme = operation.Scheme, Data = data, Iv = operation.Iv, Aad = operation.Aad };
            return Token.Connection.Run(pool, credential, op).First.ToArray();
        }

        return Token.Connection.Send(credential, HttpMethod.Post, CryptoModuleRoutes.KeyOperation(operation.Key!.Key.Id, "encrypt"),
            new EncryptRequest(data, operation.Scheme, operation.Iv, operation.Aad), CryptoModuleJson.Default.EncryptRequest, CryptoModuleJson.Default.EncryptResponse).Ciphertext;
    }

    public static byte[] Decrypt(string credential, Operation operation, byte[] data)
    {
        if (Token.Connection.Binary is { } pool)
        {
            var op = new BinaryOperation(EnclaveOp.Decrypt, operation.Key!.Key.Id) { Scheme = operation.Scheme, Data = data, Iv = operation.Iv, Aad = operation.Aad };
            return Token.Connection.Run(pool, credential, op, DecryptionCode).First.ToArray();
        }

        return Token.Connection.Send(credential, HttpMethod.Post, CryptoModuleRoutes.KeyOperation(operation.Key!.Key.Id, "decrypt"),
            new DecryptRequest(data, operation.Scheme, operation.Iv, operation.Aad), CryptoModuleJson.Default.DecryptRequest, CryptoModuleJson.Default.DecryptResponse,
            DecryptionCode).Plaintext;
    }

    public static int EncryptedSize(Operation operation, int length) => operation.Scheme switch
    {
        Scheme.Gcm => length + 16,
        Scheme.Cbc => ((length / 16) + 1) * 16,
        Scheme.Sm2Encrypt => length + 97,
        _ => operation.Key!.SignatureSize,
    };

    private static ulong DecryptionCode(string code) =>
        code == CryptoModuleErrorCodes.InvalidInput ? Ck.CKR_ENCRYPTED_DATA_LEN_RANGE : ModuleConnection.MapCode(code);

    private static ulong SignatureCode(string code) =>
        code == CryptoModuleErrorCodes.InvalidInput ? Ck.CKR_DATA_LEN_RANGE : ModuleConnection.MapCode(code);

    private static unsafe Scheme PssScheme(CkMechanism* mechanism, Scheme? fixedScheme)
    {
        if (mechanism->Parameter is null || mechanism->ParameterLen != (ulong)sizeof(CkRsaPssParams))
        {
            throw new CkrException(Ck.CKR_MECHANISM_PARAM_INVALID, "RSA-PSS needs CK_RSA_PKCS_PSS_PARAMS");
        }

        var pss = (CkRsaPssParams*)mechanism->Parameter;
        (Scheme scheme, ulong mgf, ulong salt) = pss->HashAlg switch
        {
            Ck.CKM_SHA256 => (Scheme.RsaPssSha256, Ck.CKG_MGF1_SHA256, 32UL),
            Ck.CKM_SHA384 => (Scheme.RsaPssSha384, Ck.CKG_MGF1_SHA384, 48UL),
            Ck.CKM_SHA512 => (Scheme.RsaPssSha512, Ck.CKG_MGF1_SHA512, 64UL),
            _ => throw new CkrException(Ck.CKR_MECHANISM_PARAM_INVALID, "PSS with SHA-256/384/512 only"),
        };
        if (pss->Mgf != mgf || pss->SaltLen != salt || (fixedScheme is { } f && f != scheme))
        {
            throw new CkrException(Ck.CKR_MECHANISM_PARAM_INVALID, "PSS needs MGF1 with the same hash and a salt of the hash length");
        }

        return scheme;
    }

    public static ulong ReadUlong(byte[] value) =>
        value.Length switch
        {
            8 => BinaryPrimitives.ReadUInt64LittleEndian(value),
            4 => BinaryPrimitives.ReadUInt32LittleEndian(value),
            _ => throw new CkrException(Ck.CKR_ATTRIBUTE_VALUE_INVALID, "a CK_ULONG attribute of the wrong size"),
        };
}
