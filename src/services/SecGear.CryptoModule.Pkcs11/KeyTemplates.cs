namespace SecGear.CryptoModule.Pkcs11;

/// <summary>Reads key-generation templates: which key to create in the module, and which requests it cannot honour.</summary>
internal static class KeyTemplates
{
    private static readonly byte[] P256Oid = Convert.FromHexString("06082A8648CE3D030107");
    private static readonly byte[] P384Oid = Convert.FromHexString("06052B81040022");

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
                    : throw new CkrException(Ck.CKR_ATTRIBUTE_VALUE_INVALID, "CKA_EC_PARAMS: the module has P-256 and P-384 (named curve OIDs)");
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

            default:
                throw new CkrException(Ck.CKR_MECHANISM_INVALID, $"mechanism 0x{mechanism:x} generates no key pair");
        }
    }

    /// <summary>Creates the key in the module (id from CKA_ID, label from CKA_LABEL) and returns its attributes.</summary>
    public static KeyInfo Create(string credential, KeySpec spec, KeyUsage usage, IReadOnlyList<(ulong Type, byte[] Value)> primary, IReadOnlyList<(ulong Type, byte[] Value)> secondary)
    {
        byte[]? id = Find(primary, Ck.CKA_ID) ?? Find(secondary, Ck.CKA_ID);
        byte[]? label = Find(primary, Ck.CKA_LABEL) ?? Find(secondary, Ck.CKA_LABEL);
        if (id is { Length: > 30 })
        {
            throw new CkrException(Ck.CKR_ATTRIBUTE_VALUE_INVALID, "CKA_ID of at most 30 bytes");
        }

        string? keyId = id is { Length: > 0 } ? TokenObject.KeyIdFor(id) : null;
        string? labelText = label is null ? null : Token.Utf8(label);
        return Token.Connection.Send(credential, HttpMethod.Post, CryptoModuleRoutes.Keys, new CreateKeyRequest(spec, usage, keyId, labelText),
            CryptoModuleJson.Default.CreateKeyRequest, CryptoModuleJson.Default.KeyInfo,
            code => code == CryptoModuleErrorCodes.AlreadyExists ? Ck.CKR_ATTRIBUTE_VALUE_INVALID : ModuleConnection.MapCode(code));
    }
}
