using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace SecGear.CryptoModule.Pkcs11;

/// <summary>
/// One PKCS#11 object standing for one side of a module key: a private key and a public key for EC/RSA keys, a secret
/// key for AES keys. Secret values are never available (CKA_SENSITIVE true, CKA_EXTRACTABLE false); public values
/// come from the key's SubjectPublicKeyInfo.
/// </summary>
internal sealed class TokenObject(ulong handle, ulong objectClass, KeyInfo key)
{
    private static readonly byte[] P256Oid = Convert.FromHexString("06082A8648CE3D030107");
    private static readonly byte[] P384Oid = Convert.FromHexString("06052B81040022");
    private static readonly byte[] Sm2Oid = Convert.FromHexString("06082A811CCF5501822D");

    public ulong Handle { get; } = handle;

    public ulong Class { get; } = objectClass;

    public KeyInfo Key { get; set; } = key;

    /// <summary>For a session object (CKA_TOKEN false): the session that created it; it is destroyed when that session closes.</summary>
    public ulong? OwnerSession { get; init; }

    /// <summary>For a session object: the CKA_ID the application gave (its module key id is random).</summary>
    public byte[]? GivenId { get; init; }

    /// <summary>Whether PKCS#11 can show this key spec at all.</summary>
    public static bool Supports(KeySpec spec) => Enum.IsDefined(spec);

    /// <summary>Whether the key is a secret key (one object) rather than a key pair (two).</summary>
    public static bool IsSecret(KeySpec spec) => spec is KeySpec.Aes256 or KeySpec.Sm4 or KeySpec.HmacSha256 or KeySpec.HmacSha384 or KeySpec.HmacSm3;

    /// <summary>The PKCS#11 classes a key appears as.</summary>
    public static ulong[] ClassesOf(KeySpec spec) => IsSecret(spec) ? [Ck.CKO_SECRET_KEY] : [Ck.CKO_PRIVATE_KEY, Ck.CKO_PUBLIC_KEY];

    public ulong KeyType => Key.Spec switch
    {
        KeySpec.EcP256 or KeySpec.EcP384 => Ck.CKK_EC,
        KeySpec.Aes256 => Ck.CKK_AES,
        KeySpec.Sm2 => Ck.CKK_SECGEAR_SM2,
        KeySpec.Sm4 => Ck.CKK_SECGEAR_SM4,
        KeySpec.HmacSha256 => Ck.CKK_SHA256_HMAC,
        KeySpec.HmacSha384 => Ck.CKK_SHA384_HMAC,
        KeySpec.HmacSm3 => Ck.CKK_SECGEAR_SM3_HMAC,
        _ => Ck.CKK_RSA,
    };

    /// <summary>The mechanism that generates this key type.</summary>
    private ulong GenerationMechanism => Key.Spec switch
    {
        KeySpec.EcP256 or KeySpec.EcP384 => Ck.CKM_EC_KEY_PAIR_GEN,
        KeySpec.Aes256 => Ck.CKM_AES_KEY_GEN,
        KeySpec.Sm2 => Ck.CKM_SECGEAR_SM2_KEY_PAIR_GEN,
        KeySpec.Sm4 => Ck.CKM_SECGEAR_SM4_KEY_GEN,
        KeySpec.HmacSm3 => Ck.CKM_SECGEAR_SM3_HMAC_KEY_GEN,
        KeySpec.HmacSha256 or KeySpec.HmacSha384 => Ck.CKM_GENERIC_SECRET_KEY_GEN,
        _ => Ck.CKM_RSA_PKCS_KEY_PAIR_GEN,
    };

    /// <summary>CKA_ID: the bytes an application gave (key ids <c>p11-HEX</c>), else the key id's UTF-8.</summary>
    public static byte[] IdBytes(string keyId) =>
        keyId.StartsWith("p11-", StringComparison.Ordinal) && keyId.Length > 4 && keyId.Length % 2 == 0 && IsHex(keyId.AsSpan(4))
            ? Convert.FromHexString(keyId.AsSpan(4))
            : Encoding.UTF8.GetBytes(keyId);

    /// <summary>The prefix of the module key ids of session objects (CKA_TOKEN false).</summary>
    public const string SessionKeyPrefix = "p11s-";

    /// <summary>The module key id for a CKA_ID given by an application.</summary>
    public static string KeyIdFor(ReadOnlySpan<byte> id) => "p11-" + Convert.ToHexStringLower(id);

    /// <summary>The attribute's value, or null when the object has no such attribute; throws CKR_ATTRIBUTE_SENSITIVE for secrets.</summary>
    public byte[]? Attribute(ulong type)
    {
        bool isPublic = Class == Ck.CKO_PUBLIC_KEY;
        bool secretSide = !isPublic;
        var usage = Key.Usage;
        switch (type)
        {
            case Ck.CKA_CLASS: return Ulong(Class);
            case Ck.CKA_KEY_TYPE: return Ulong(KeyType);
            case Ck.CKA_ID: return GivenId ?? IdBytes(Key.Id);
            case Ck.CKA_LABEL: return Encoding.UTF8.GetBytes(Key.Label ?? Key.Id);
            case Ck.CKA_TOKEN: return Bool(OwnerSession is null);
            case Ck.CKA_PRIVATE: return Bool(secretSide);
            case Ck.CKA_MODIFIABLE or Ck.CKA_COPYABLE: return Bool(false);
            case Ck.CKA_DESTROYABLE: return Bool(true);
            case Ck.CKA_LOCAL: return Bool(true);
            case Ck.CKA_KEY_GEN_MECHANISM:
                return Ulong(GenerationMechanism);
            case Ck.CKA_SENSITIVE or Ck.CKA_ALWAYS_SENSITIVE or Ck.CKA_NEVER_EXTRACTABLE: return secretSide ? Bool(true) : null;
            case Ck.CKA_EXTRACTABLE: return secretSide ? Bool(false) : null;
            case Ck.CKA_ALWAYS_AUTHENTICATE: return secretSide ? Bool(false) : null;
            case Ck.CKA_WRAP_WITH_TRUSTED: return secretSide ? Bool(false) : null;
            case Ck.CKA_SIGN: return isPublic ? null : Bool((usage == KeyUsage.Sign && Class == Ck.CKO_PRIVATE_KEY) || usage == KeyUsage.Mac);
            case Ck.CKA_VERIFY: return Class == Ck.CKO_PRIVATE_KEY ? null : Bool((usage == KeyUsage.Sign && isPublic) || usage == KeyUsage.Mac);
            case Ck.CKA_DECRYPT: return isPublic ? null : Bool(usage is KeyUsage.Encrypt or KeyUsage.Wrap);
            case Ck.CKA_ENCRYPT: return Class == Ck.CKO_PRIVATE_KEY ? null : Bool(usage is KeyUsage.Encrypt or KeyUsage.Wrap);
            case Ck.CKA_UNWRAP: return isPublic ? null : Bool(false);
            case Ck.CKA_WRAP: return Class == Ck.CKO_PRIVATE_KEY ? null : Bool(false);
            case Ck.CKA_SIGN_RECOVER: return isPublic ? null : Bool(false);
            case Ck.CKA_VERIFY_RECOVER: return Class == Ck.CKO_PRIVATE_KEY ? null : Bool(false);
            case Ck.CKA_DERIVE: return Bool(false);
            case Ck.CKA_VALUE_LEN: return Class == Ck.CKO_SECRET_KEY ? Ulong(Key.Spec switch { KeySpec.Sm4 => 16, KeySpec.HmacSha384 => 48, _ => 32 }) : null;
            case Ck.CKA_VALUE:
                if (secretSide)
                {
                    throw new CkrException(Ck.CKR_ATTRIBUTE_SENSITIVE, "secret values never leave the enclave");
                }

                return null;
            case Ck.CKA_EC_PARAMS: return Key.Spec switch { KeySpec.EcP256 => P256Oid, KeySpec.EcP384 => P384Oid, KeySpec.Sm2 => Sm2Oid, _ => null };
            case Ck.CKA_EC_POINT: return isPublic && Key.Spec is KeySpec.EcP256 or KeySpec.EcP384 or KeySpec.Sm2 ? EcPoint() : null;
            case Ck.CKA_MODULUS: return KeyType == Ck.CKK_RSA ? RsaParameters().Modulus : null;
            case Ck.CKA_PUBLIC_EXPONENT: return KeyType == Ck.CKK_RSA ? RsaParameters().Exponent : null;
            case Ck.CKA_MODULUS_BITS: return KeyType == Ck.CKK_RSA ? Ulong((ulong)RsaParameters().Modulus!.Length * 8) : null;
            default: return null;
        }
    }

    /// <summary>The signature size in bytes (EC and SM2 r‖s, RSA modulus, HMAC output).</summary>
    public int SignatureSize => Key.Spec switch
    {
        KeySpec.EcP256 or KeySpec.Sm2 => 64,
        KeySpec.HmacSha256 or KeySpec.HmacSm3 => 32,
        KeySpec.HmacSha384 => 48,
        KeySpec.EcP384 => 96,
        KeySpec.Rsa2048 => 256,
        KeySpec.Rsa3072 => 384,
        _ => 512,
    };

    private byte[] EcPoint()
    {
        if (Key.Spec == KeySpec.Sm2)
        {
            // The platform has no SM2 curve: the SPKI's BIT STRING ends with the uncompressed point 04 X Y (65 bytes).
            byte[] spki = Key.PublicKey!;
            return spki.Length > 65 && spki[^65] == 0x04 ? [0x04, 65, .. spki.AsSpan(spki.Length - 65)] : throw new CkrException(Ck.CKR_DEVICE_ERROR, "an SM2 public key that is not an uncompressed point");
        }

        using var ec = ECDsa.Create();
        ec.ImportSubjectPublicKeyInfo(Key.PublicKey, out _);
        var q = ec.ExportParameters(false).Q;
        byte[] point = [0x04, .. q.X!, .. q.Y!];
        // DER OCTET STRING around the uncompressed point, as PKCS#11 v2.40 specifies CKA_EC_POINT.
        return [0x04, (byte)point.Length, .. point];
    }

    private RSAParameters RsaParameters()
    {
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(Key.PublicKey, out _);
        return rsa.ExportParameters(false);
    }

    private static byte[] Ulong(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        return bytes;
    }

    private static byte[] Bool(bool value) => [value ? (byte)1 : (byte)0];

    private static bool IsHex(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
