using Org.BouncyCastle.Asn1.GM;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Utilities;
using Org.BouncyCastle.X509;

namespace SecGear.CryptoModule.Enclave;

/// <summary>
/// An SM2 key (GB/T 32918, BouncyCastle): signatures with SM3 over Z_A ‖ message, r‖s output; public-key encryption
/// C1‖C3‖C2. Material is the 32-byte private scalar.
/// </summary>
internal sealed class Sm2Key : LoadedKey
{
    /// <summary>The user id GB/T 35276 names as the default when the signer has none.</summary>
    public static readonly byte[] DefaultUserId = "1234567812345678"u8.ToArray();

    // sm2p256v1 on BouncyCastle's dedicated fast curve, named so the SubjectPublicKeyInfo carries the SM2 curve OID.
    private static readonly ECNamedDomainParameters Domain = new(GMObjectIdentifiers.sm2p256v1, CustomNamedCurves.GetByName("sm2p256v1"));
    private readonly ECPrivateKeyParameters _private;
    private readonly ECPublicKeyParameters _public;

    private Sm2Key(ECPrivateKeyParameters privateKey)
    {
        _private = privateKey;
        _public = new ECPublicKeyParameters(Domain.G.Multiply(privateKey.D).Normalize(), Domain);
    }

    public override KeySpec Spec => KeySpec.Sm2;

    public static (byte[] Material, byte[] PublicKey) Generate()
    {
        var generator = new ECKeyPairGenerator();
        generator.Init(new ECKeyGenerationParameters(Domain, new SecureRandom()));
        var pair = generator.GenerateKeyPair();
        var key = new Sm2Key((ECPrivateKeyParameters)pair.Private);
        return (BigIntegers.AsUnsignedByteArray(32, key._private.D), SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(key._public).GetDerEncoded());
    }

    /// <summary>The SPKI of the key whose private scalar is <paramref name="material"/>; refuses a scalar outside [1, n-1].</summary>
    public static byte[] PublicKeyOf(ReadOnlySpan<byte> material)
    {
        var d = new BigInteger(1, material.ToArray());
        if (material.Length != 32 || d.SignValue <= 0 || d.CompareTo(Domain.N) >= 0)
        {
            throw new RefusalException(EnclaveStatus.InvalidInput, "the imported material is not an SM2 private scalar (32 bytes, 1 to n-1)");
        }

        return SubjectPublicKeyInfoFactory.CreateSubjectPublicKeyInfo(new Sm2Key(new ECPrivateKeyParameters(d, Domain))._public).GetDerEncoded();
    }

    public static Sm2Key Load(ReadOnlySpan<byte> material)
    {
        if (material.Length != 32)
        {
            throw new RefusalException(EnclaveStatus.KeyBlobInvalid, "an SM2 key blob holds a scalar of the wrong size");
        }

        return new Sm2Key(new ECPrivateKeyParameters(new BigInteger(1, material.ToArray()), Domain));
    }

    public override byte[] Sign(Scheme scheme, bool prehashed, ReadOnlySpan<byte> data, ReadOnlySpan<byte> userId)
    {
        CheckSignatureScheme(scheme, prehashed);
        var signer = new SM2Signer(PlainDsaEncoding.Instance, new SM3Digest());
        signer.Init(true, new ParametersWithID(new ParametersWithRandom(_private, new SecureRandom()), UserIdOrDefault(userId)));
        signer.BlockUpdate(data);
        return signer.GenerateSignature();
    }

    public override bool Verify(Scheme scheme, bool prehashed, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, ReadOnlySpan<byte> userId)
    {
        CheckSignatureScheme(scheme, prehashed);
        if (signature.Length != 64)
        {
            return false;
        }

        var verifier = new SM2Signer(PlainDsaEncoding.Instance, new SM3Digest());
        verifier.Init(false, new ParametersWithID(_public, UserIdOrDefault(userId)));
        verifier.BlockUpdate(data);
        return verifier.VerifySignature(signature.ToArray());
    }

    public override (byte[] Ciphertext, byte[] Iv) Encrypt(Scheme scheme, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad)
    {
        CheckEncryptionScheme(scheme);
        if (plaintext.Length == 0)
        {
            throw new RefusalException(EnclaveStatus.InvalidInput, "SM2 encryption of an empty message");
        }

        var engine = new SM2Engine(new SM3Digest(), SM2Engine.Mode.C1C3C2);
        engine.Init(true, new ParametersWithRandom(_public, new SecureRandom()));
        return (engine.ProcessBlock(plaintext.ToArray(), 0, plaintext.Length), []);
    }

    public override byte[] Decrypt(Scheme scheme, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad)
    {
        CheckEncryptionScheme(scheme);
        // C1 (65, uncompressed point) + C3 (32, SM3) + at least one byte of C2.
        if (ciphertext.Length < 65 + 32 + 1)
        {
            throw new RefusalException(EnclaveStatus.InvalidCiphertext, $"an SM2 ciphertext of {ciphertext.Length} bytes is truncated");
        }

        var engine = new SM2Engine(new SM3Digest(), SM2Engine.Mode.C1C3C2);
        engine.Init(false, _private);
        try
        {
            return engine.ProcessBlock(ciphertext.ToArray(), 0, ciphertext.Length);
        }
        catch (Exception ex) when (ex is InvalidCipherTextException or ArgumentException or InvalidOperationException)
        {
            throw new RefusalException(EnclaveStatus.InvalidCiphertext, "the SM2 ciphertext does not decrypt (bad point or C3 mismatch)");
        }
    }

    private static byte[] UserIdOrDefault(ReadOnlySpan<byte> userId)
    {
        if (userId.Length > 1024)
        {
            throw new RefusalException(EnclaveStatus.InvalidInput, $"an SM2 user id of {userId.Length} bytes (at most 1024)");
        }

        return userId.IsEmpty ? DefaultUserId : userId.ToArray();
    }

    private void CheckSignatureScheme(Scheme scheme, bool prehashed)
    {
        if (scheme is not (Scheme.Default or Scheme.Sm2Sm3))
        {
            throw Unsupported("sign or verify", scheme);
        }

        if (prehashed)
        {
            throw new RefusalException(EnclaveStatus.InvalidInput, "SM2 signs the message (Z_A is hashed with it); a prehashed digest is not accepted");
        }
    }

    private void CheckEncryptionScheme(Scheme scheme)
    {
        if (scheme is not (Scheme.Default or Scheme.Sm2Encrypt))
        {
            throw Unsupported("encrypt or decrypt", scheme);
        }
    }
}
