using System.Security.Cryptography;

namespace SecGear.CryptoModule.Pkcs11;

/// <summary>Reads key-generation templates: which key to create in the module, and which requests it cannot honour.</summary>
internal static class KeyTemplates
{
    private static readonly byte[] P256Oid = Convert.FromHexString("06082A8648CE3D030107");
    private static readonly byte[] P384Oid = Convert.FromHexString("06052B81040022");
    private static readonly byte[] Sm2Oid = Convert.FromHexString("06082A811CCF5501822D");

    public static byte[]? Find(IReadOnlyList<(ulong Type, byte[] Value)> template, ulong type) =>
        template.Where(a => a.Type == type).Select(a => a.Value).FirstOrDefault();

    public static bool IsTrue(IReadOnlyList<(ulong Type, byte[] Value)> template, ulong type) =>
        Find(template, type) is { Length: > 0 } value && value[0] != 0;

    public static bool IsFalse(IReadOnlyList<(ulong Type, byte[] Value)> template, ulong type) =>
        Find(template, type) is { Length: > 0 } value && value[0] == 0;

    /// <summary>Keys are always sensitive and never extractable: a template that asks otherwise is refused, not silently changed.</summary>
    public static void CheckSecrecy(IReadOnlyList<(ulong Type, byte[] Value)> template)
    {
        if (IsTrue(template, Ck.CKA_EXTRACTABLE) || IsFalse(template, Ck.CKA_SENSITIVE))
        {
            throw new CkrException(Ck.CKR_ATTRIBUTE_VALUE_INVALID, "keys of this module are sensitive and never extractable");
        }
    }

    public static (KeySpec Spec, KeyUsage Usage) PairSpec(ulong mechanism, IReadOnlyList<(ulong Type, byte[] Value)> publicTemplate, IReadOnlyList<(ulong Type, byte[] Value)> privateTemplate)
    {
        switch (mechanism)
        {
            case Ck.CKM_EC_KEY_PAIR_GEN:
            {
                byte[] parameters = Find(publicTemplate, Ck.CKA_EC_PARAMS) ?? Find(privateTemplate, Ck.CKA_EC_PARAMS)
                    ?? throw new CkrException(Ck.CKR_TEMPLATE_INCOMPLETE, "CKA_EC_PARAMS is required");
                var spec = parameters.AsSpan().SequenceEqual(P256Oid) ? KeySpec.EcP256
                    : parameters.AsSpan().SequenceEqual(P384Oid) ? KeySpec.EcP384
                    : parameters.AsSpan().SequenceEqual(Sm2Oid) ? KeySpec.Sm2
                    : throw new CkrException(Ck.CKR_ATTRIBUTE_VALUE_INVALID, "CKA_EC_PARAMS: the module has P-256, P-384 and sm2p256v1 (named curve OIDs)");
                if (spec == KeySpec.Sm2)
                {
                    // An EC key pair on the SM2 curve (what clients without vendor mechanisms can ask for) is an SM2 key.
                    return PairSpec(Ck.CKM_SECGEAR_SM2_KEY_PAIR_GEN, publicTemplate, privateTemplate);
                }

                // EC keys here only sign; a template that also asks for derive (pkcs11-tool's default) gets a key
                // whose CKA_DERIVE reads false, and C_DeriveKey is not supported.
                return (spec, KeyUsage.Sign);
            }

            case Ck.CKM_RSA_PKCS_KEY_PAIR_GEN:
            {
                byte[] bits = Find(publicTemplate, Ck.CKA_MODULUS_BITS) ?? throw new CkrException(Ck.CKR_TEMPLATE_INCOMPLETE, "CKA_MODULUS_BITS is required");
                var spec = Crypto.ReadUlong(bits) switch
                {
                    2048 => KeySpec.Rsa2048,
                    3072 => KeySpec.Rsa3072,
                    4096 => KeySpec.Rsa4096,
                    _ => throw new CkrException(Ck.CKR_KEY_SIZE_RANGE, "RSA keys of 2048, 3072 or 4096 bits"),
                };
                if (Find(publicTemplate, Ck.CKA_PUBLIC_EXPONENT) is { } exponent && !exponent.AsSpan().TrimStart((byte)0).SequenceEqual(new byte[] { 1, 0, 1 }))
                {
                    throw new CkrException(Ck.CKR_ATTRIBUTE_VALUE_INVALID, "the public exponent is 65537");
                }

                // One usage per key: signing unless the template asks for decryption only.
                bool sign = IsTrue(privateTemplate, Ck.CKA_SIGN) || !IsTrue(privateTemplate, Ck.CKA_DECRYPT);
                return (spec, sign ? KeyUsage.Sign : KeyUsage.Encrypt);
            }

            case Ck.CKM_SECGEAR_SM2_KEY_PAIR_GEN:
                // One usage per key, as for RSA: signing unless the template asks for decryption only.
                return (KeySpec.Sm2, IsTrue(privateTemplate, Ck.CKA_SIGN) || !IsTrue(privateTemplate, Ck.CKA_DECRYPT) ? KeyUsage.Sign : KeyUsage.Encrypt);

            default:
                throw new CkrException(Ck.CKR_MECHANISM_INVALID, $"mechanism 0x{mechanism:x} generates no key pair");
        }
    }

    /// <summary>
    /// The secret key C_GenerateKey makes: AES-256 (<c>CKM_AES_KEY_GEN</c>, 32 bytes), SM4 (vendor <c>CKM_SECGEAR_SM4_KEY_GEN</c>),
    /// HMAC-SM3 (vendor <c>CKM_SECGEAR_SM3_HMAC_KEY_GEN</c>), or an HMAC key with <c>CKM_GENERIC_SECRET_KEY_GEN</c> whose
    /// CKA_KEY_TYPE (<c>CKK_SHA256_HMAC</c>, <c>CKK_SHA384_HMAC</c>, vendor SM3) or CKA_VALUE_LEN (32 or 48 for a generic secret) picks the hash.
    /// </summary>
    public static (KeySpec Spec, KeyUsage Usage) SecretSpec(ulong mechanism, IReadOnlyList<(ulong Type, byte[] Value)> template)
    {
        ulong? length = Find(template, Ck.CKA_VALUE_LEN) is { } value ? Crypto.ReadUlong(value) : null;
        ulong? keyType = Find(template, Ck.CKA_KEY_TYPE) is { } type ? Crypto.ReadUlong(type) : null;
        var usage = IsTrue(template, Ck.CKA_WRAP) || IsTrue(template, Ck.CKA_UNWRAP) ? KeyUsage.Wrap : KeyUsage.Encrypt;
        (KeySpec spec, KeyUsage keyUsage, ulong size) = (mechanism, keyType) switch
        {
            (Ck.CKM_AES_KEY_GEN, null or Ck.CKK_AES) => (KeySpec.Aes256, usage, 32UL),
            // Clients that know no vendor key types (pkcs11-tool --key-type GENERIC:n) send a generic secret: the mechanism decides.
            (Ck.CKM_SECGEAR_SM4_KEY_GEN, null or Ck.CKK_SECGEAR_SM4 or Ck.CKK_GENERIC_SECRET) => (KeySpec.Sm4, usage, 16UL),
            (Ck.CKM_SECGEAR_SM3_HMAC_KEY_GEN, null or Ck.CKK_SECGEAR_SM3_HMAC or Ck.CKK_GENERIC_SECRET) => (KeySpec.HmacSm3, KeyUsage.Mac, 32UL),
            (Ck.CKM_GENERIC_SECRET_KEY_GEN, Ck.CKK_SHA256_HMAC) => (KeySpec.HmacSha256, KeyUsage.Mac, 32UL),
            (Ck.CKM_GENERIC_SECRET_KEY_GEN, Ck.CKK_SHA384_HMAC) => (KeySpec.HmacSha384, KeyUsage.Mac, 48UL),
            (Ck.CKM_GENERIC_SECRET_KEY_GEN, Ck.CKK_SECGEAR_SM3_HMAC) => (KeySpec.HmacSm3, KeyUsage.Mac, 32UL),
            (Ck.CKM_GENERIC_SECRET_KEY_GEN, null or Ck.CKK_GENERIC_SECRET) when length is 32 or null => (KeySpec.HmacSha256, KeyUsage.Mac, 32UL),
            (Ck.CKM_GENERIC_SECRET_KEY_GEN, null or Ck.CKK_GENERIC_SECRET) when length is 48 => (KeySpec.HmacSha384, KeyUsage.Mac, 48UL),
            (Ck.CKM_AES_KEY_GEN or Ck.CKM_SECGEAR_SM4_KEY_GEN or Ck.CKM_SECGEAR_SM3_HMAC_KEY_GEN or Ck.CKM_GENERIC_SECRET_KEY_GEN, _)
                => throw new CkrException(Ck.CKR_TEMPLATE_INCONSISTENT, $"CKA_KEY_TYPE 0x{keyType:x} (length {length}) does not go with mechanism 0x{mechanism:x}"),
            _ => throw new CkrException(Ck.CKR_MECHANISM_INVALID, $"mechanism 0x{mechanism:x} generates no secret key"),
        };
        if (length is { } asked && asked != size)
        {
            throw new CkrException(Ck.CKR_ATTRIBUTE_VALUE_INVALID, $"a {spec} key is {size} bytes (CKA_VALUE_LEN {asked})");
        }

        return (spec, keyUsage);
    }

    /// <summary>Whether a template asks for a session object (CKA_TOKEN false in either template of a pair).</summary>
    public static bool IsSessionObject(IReadOnlyList<(ulong Type, byte[] Value)> primary, IReadOnlyList<(ulong Type, byte[] Value)> secondary) =>
        Find(primary, Ck.CKA_TOKEN) is { } token && !token.Any(b => b != 0) || Find(secondary, Ck.CKA_TOKEN) is { } other && !other.Any(b => b != 0);

    /// <summary>Creates the key in the module (id from CKA_ID, label from CKA_LABEL) and returns its attributes.</summary>
    public static KeyInfo Create(string credential, KeySpec spec, KeyUsage usage, IReadOnlyList<(ulong Type, byte[] Value)> primary, IReadOnlyList<(ulong Type, byte[] Value)> secondary)
    {
        byte[]? id = Find(primary, Ck.CKA_ID) ?? Find(secondary, Ck.CKA_ID);
        byte[]? label = Find(primary, Ck.CKA_LABEL) ?? Find(secondary, Ck.CKA_LABEL);
        if (id is { Length: > 30 })
        {
            throw new CkrException(Ck.CKR_ATTRIBUTE_VALUE_INVALID, "CKA_ID of at most 30 bytes");
        }

        // A session object's key gets a random id of its own prefix: it is destroyed with its session, and other
        // applications' tokens do not list it.
        string? keyId = IsSessionObject(primary, secondary)
            ? TokenObject.SessionKeyPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12))
            : id is { Length: > 0 } ? TokenObject.KeyIdFor(id) : null;
        string? labelText = label is null ? null : Token.Utf8(label);
        return Token.Connection.Send(credential, HttpMethod.Post, CryptoModuleRoutes.Keys, new CreateKeyRequest(spec, usage, keyId, labelText),
            CryptoModuleJson.Default.CreateKeyRequest, CryptoModuleJson.Default.KeyInfo,
            code => code == CryptoModuleErrorCodes.AlreadyExists ? Ck.CKR_ATTRIBUTE_VALUE_INVALID : ModuleConnection.MapCode(code));
    }
}
