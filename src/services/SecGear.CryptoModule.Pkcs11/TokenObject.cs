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

    public ulong Handle { get; } = handle;

    public ulong Class { get; } = objectClass;

    public KeyInfo Key { get; set; } = key;

    /// <summary>Whether PKCS#11 can show this key spec at all.</summary>
    public static bool Supports(KeySpec spec) => spec is KeySpec.EcP256 or KeySpec.EcP384 or KeySpec.Rsa2048 or KeySpec.Rsa3072 or KeySpec.Rsa4096 or KeySpec.Aes256;

    /// <summary>The PKCS#11 classes a key appears as.</summary>
    public static ulong[] ClassesOf(KeySpec spec) => spec == KeySpec.Aes256 ? [Ck.CKO_SECRET_KEY] : [Ck.CKO_PRIVATE_KEY, Ck.CKO_PUBLIC_KEY];

    public ulong KeyType => Key.Spec switch
    {
        KeySpec.EcP256 or KeySpec.EcP384 => Ck.CKK_EC,
        KeySpec.Aes256 => Ck.CKK_AES,
        _ => Ck.CKK_RSA,
    };

    /// <summary>CKA_ID: the bytes an application gave (key ids <c>p11-HEX</c>), else the key id's UTF-8.</summary>
    public static byte[] IdBytes(string keyId) =>
        keyId.StartsWith("p11-", StringComparison.Ordinal) && keyId.Length > 4 && keyId.Length % 2 == 0 && IsHex(keyId.AsSpan(4))
            ? Convert.FromHexString(keyId.AsSpan(4))
            : Encoding.UTF8.GetBytes(keyId);

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
            case Ck.CKA_ID: return IdBytes(Key.Id);
            case Ck.CKA_LABEL: return Encoding.UTF8.GetBytes(Key.Label ?? Key.Id);
            case Ck.CKA_TOKEN: return Bool(true);
            case Ck.CKA_PRIVATE: return Bool(secretSide);
            case Ck.CKA_MODIFIABLE or Ck.CKA_COPYABLE: return Bool(false);
            case Ck.CKA_DESTROYABLE: return Bool(true);
            case Ck.CKA_LOCAL: return Bool(true);
            case Ck.CKA_KEY_GEN_MECHANISM:
                return Ulong(KeyType switch { Ck.CKK_EC => Ck.CKM_EC_KEY_PAIR_GEN, Ck.CKK_AES => Ck.CKM_AES_KEY_GEN, _ => Ck.CKM_RSA_PKCS_KEY_PAIR_GEN });
            case Ck.CKA_SENSITIVE or Ck.CKA_ALWAYS_SENSITIVE or Ck.CKA_NEVER_EXTRACTABLE: return secretSide ? Bool(true) : null;
            case Ck.CKA_EXTRACTABLE: return secretSide ? Bool(false) : null;
            case Ck.CKA_ALWAYS_AUTHENTICATE: return secretSide ? Bool(false) : null;
            case Ck.CKA_WRAP_WITH_TRUSTED: return secretSide ? Bool(false) : null;
            case Ck.CKA_SIGN: return isPublic ? null : Bool(usage == KeyUsage.Sign && (Class == Ck.CKO_PRIVATE_KEY));
            case Ck.CKA_VERIFY: return Class == Ck.CKO_PRIVATE_KEY ? null : Bool(usage == KeyUsage.Sign && isPublic);
            case Ck.CKA_DECRYPT: return isPublic ? null : Bool(usage is KeyUsage.Encrypt or KeyUsage.Wrap);
            case Ck.CKA_ENCRYPT: return Class == Ck.CKO_PRIVATE_KEY ? null : Bool(usage is KeyUsage.Encrypt or KeyUsage.Wrap);
            case Ck.CKA_UNWRAP: return isPublic ? null : Bool(false);
            case Ck.CKA_WRAP: return Class == Ck.CKO_PRIVATE_KEY ? null : Bool(false);
            case Ck.CKA_SIGN_RECOVER: return isPublic ? null : Bool(false);
            case Ck.CKA_VERIFY_RECOVER: return Class == Ck.CKO_PRIVATE_KEY ? null : Bool(false);
            case Ck.CKA_DERIVE: return Bool(false);
            case Ck.CKA_VALUE_LEN: return KeyType == Ck.CKK_AES ? Ulong(32) : null;
            case Ck.CKA_VALUE:
                if (secretSide)
                {
                    throw new CkrException(Ck.CKR_ATTRIBUTE_SENSITIVE, "secret values never leave the enclave");
                }

                return null;
            case Ck.CKA_EC_PARAMS: return KeyType == Ck.CKK_EC ? (Key.Spec == KeySpec.EcP256 ? P256Oid : P384Oid) : null;
            case Ck.CKA_EC_POINT: return KeyType == Ck.CKK_EC && isPublic ? EcPoint() : null;
            case Ck.CKA_MODULUS: return KeyType == Ck.CKK_RSA ? RsaParameters().Modulus : null;
            case Ck.CKA_PUBLIC_EXPONENT: return KeyType == Ck.CKK_RSA ? RsaParameters().Exponent : null;
            case Ck.CKA_MODULUS_BITS: return KeyType == Ck.CKK_RSA ? Ulong((ulong)RsaParameters().Modulus!.Length * 8) : null;
            default: return null;
        }
    }

    /// <summary>The signature size in bytes (EC r‖s, RSA modulus).</summary>
    public int SignatureSize => Key.Spec switch
    {
        KeySpec.EcP256 => 64,
        KeySpec.EcP384 => 96,
        KeySpec.Rsa2048 => 256,
        KeySpec.Rsa3072 => 384,
        _ => 512,
    };

    private byte[] EcPoint()
    {
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
