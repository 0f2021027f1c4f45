using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Encodings;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Security;

namespace SecGear.CryptoModule.Enclave;

/// <summary>An RSA key (platform crypto): PKCS#1 v1.5 and PSS signatures, OAEP and PKCS#1 v1.5 encryption.</summary>
internal sealed class RsaKey(KeySpec spec, RSA key) : LoadedKey
{
    public override KeySpec Spec => spec;

    public static (byte[] Material, byte[] PublicKey) Generate(KeySpec spec)
    {
        using var key = RSA.Create(spec switch { KeySpec.Rsa2048 => 2048, KeySpec.Rsa3072 => 3072, _ => 4096 });
        return (key.ExportPkcs8PrivateKey(), key.ExportSubjectPublicKeyInfo());
    }

    public static RsaKey Load(KeySpec spec, ReadOnlySpan<byte> material)
    {
        var key = RSA.Create();
        key.ImportPkcs8PrivateKey(material, out _);
        return new RsaKey(spec, key);
    }

    public override byte[] Sign(Scheme scheme, bool prehashed, ReadOnlySpan<byte> data, ReadOnlySpan<byte> userId)
    {
        if (scheme == Scheme.RsaPkcs1Raw)
        {
            return RawPkcs1(true, data);
        }

        var (hash, padding) = SignatureScheme(scheme);
        if (prehashed)
        {
            CheckDigest(hash, data);
            return key.SignHash(data.ToArray(), hash, padding);
        }

        return key.SignData(data.ToArray(), hash, padding);
    }

    public override bool Verify(Scheme scheme, bool prehashed, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, ReadOnlySpan<byte> userId)
    {
        if (scheme == Scheme.RsaPkcs1Raw)
        {
            if (signature.Length != key.KeySize / 8)
            {
                return false;
            }

            try
            {
                return CryptographicOperations.FixedTimeEquals(RawPkcs1(false, signature), data);
            }
            catch (RefusalException)
            {
                return false;
            }
        }

        var (hash, padding) = SignatureScheme(scheme);
        if (prehashed)
        {
            CheckDigest(hash, data);
            return key.VerifyHash(data, signature, hash, padding);
        }

        return key.VerifyData(data, signature, hash, padding);
    }

    public override (byte[] Ciphertext, byte[] Iv) Encrypt(Scheme scheme, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad)
    {
        var padding = EncryptionPadding(scheme);
        int limit = padding == RSAEncryptionPadding.Pkcs1 ? (key.KeySize / 8) - 11
            : (key.KeySize / 8) - (2 * (padding.OaepHashAlgorithm == HashAlgorithmName.SHA1 ? 20 : 32)) - 2;
        if (plaintext.Length > limit)
        {
            throw new RefusalException(EnclaveStatus.InvalidInput, $"{plaintext.Length} bytes exceed the {limit} an RSA-{key.KeySize} {scheme} block holds");
        }

        return (key.Encrypt(plaintext.ToArray(), padding), []);
    }

    public override byte[] Decrypt(Scheme scheme, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad)
    {
        var padding = EncryptionPadding(scheme);
        if (ciphertext.Length != key.KeySize / 8)
        {
            throw new RefusalException(EnclaveStatus.InvalidCiphertext, $"an RSA-{key.KeySize} ciphertext of {ciphertext.Length} bytes ({key.KeySize / 8} expected)");
        }

        try
        {
            return key.Decrypt(ciphertext.ToArray(), padding);
        }
        catch (CryptographicException)
        {
            throw new RefusalException(EnclaveStatus.InvalidCiphertext, $"the ciphertext does not decrypt with {scheme}");
        }
    }

    /// <summary>
    /// CKM_RSA_PKCS signing: a PKCS#1 v1.5 type-1 block around the caller's bytes, private-key operation (BouncyCastle,
    /// blinded; the platform has no raw RSA). Verification opens the block with the public key.
    /// </summary>
    private byte[] RawPkcs1(bool sign, ReadOnlySpan<byte> input)
    {
        int limit = (key.KeySize / 8) - 11;
        if (sign && input.Length > limit)
        {
            throw new RefusalException(EnclaveStatus.InvalidInput, $"{input.Length} bytes exceed the {limit} a PKCS#1 v1.5 block holds");
        }

        var pair = DotNetUtilities.GetRsaKeyPair(key.ExportParameters(true));
        var encoding = new Pkcs1Encoding(new RsaBlindedEngine());
        encoding.Init(sign, sign ? new Org.BouncyCastle.Crypto.Parameters.ParametersWithRandom(pair.Private, new SecureRandom()) : pair.Public);
        try
        {
            return encoding.ProcessBlock(input.ToArray(), 0, input.Length);
        }
        catch (InvalidCipherTextException)
        {
            throw new RefusalException(EnclaveStatus.InvalidInput, "the signature block does not open");
        }
    }

    private (HashAlgorithmName Hash, RSASignaturePadding Padding) SignatureScheme(Scheme scheme) => scheme switch
    {
        Scheme.RsaPkcs1Sha256 => (HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        Scheme.RsaPkcs1Sha384 => (HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1),
        Scheme.RsaPkcs1Sha512 => (HashAlgorithmName.SHA512, RSASignaturePadding.Pkcs1),
        Scheme.Default or Scheme.RsaPssSha256 => (HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
        Scheme.RsaPssSha384 => (HashAlgorithmName.SHA384, RSASignaturePadding.Pss),
        Scheme.RsaPssSha512 => (HashAlgorithmName.SHA512, RSASignaturePadding.Pss),
        _ => throw Unsupported("sign or verify", scheme),
    };

    private RSAEncryptionPadding EncryptionPadding(Scheme scheme) => scheme switch
    {
        Scheme.Default or Scheme.RsaOaepSha256 => RSAEncryptionPadding.OaepSHA256,
        Scheme.RsaOaepSha1 => RSAEncryptionPadding.OaepSHA1,
        Scheme.RsaPkcs1Encrypt => RSAEncryptionPadding.Pkcs1,
        _ => throw Unsupported("encrypt or decrypt", scheme),
    };

    private static void CheckDigest(HashAlgorithmName hash, ReadOnlySpan<byte> digest)
    {
        int expected = hash == HashAlgorithmName.SHA256 ? 32 : hash == HashAlgorithmName.SHA384 ? 48 : 64;
        if (digest.Length != expected)
        {
            throw new RefusalException(EnclaveStatus.InvalidInput, $"a {hash.Name} digest of {digest.Length} bytes ({expected} expected)");
        }
    }
}
