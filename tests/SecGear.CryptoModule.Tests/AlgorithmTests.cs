using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;
using SecGear.CryptoModule.Client;

namespace SecGear.CryptoModule.Tests;

/// <summary>Every algorithm through the real service and enclave, checked against the same operation done outside with platform crypto or BouncyCastle.</summary>
public sealed class AlgorithmTests(ModuleFixture fixture) : IClassFixture<ModuleFixture>
{
    private static readonly byte[] Message = Encoding.UTF8.GetBytes("transfer 100 to account 42");
    private CryptoModuleClient Client => fixture.Tenant;

    [Theory]
    [InlineData(KeySpec.EcP256, Scheme.EcdsaSha256)]
    [InlineData(KeySpec.EcP384, Scheme.EcdsaSha384)]
    public async Task Ecdsa_signature_from_the_enclave_verifies_with_platform_crypto_and_a_changed_message_fails(KeySpec spec, Scheme scheme)
    {
        var key = await Client.CreateKeyAsync(spec, KeyUsage.Sign);
        var signature = await Client.SignAsync(key.Id, new SignRequest(Message, scheme));
        using var ec = ECDsa.Create();
        ec.ImportSubjectPublicKeyInfo(key.PublicKey, out _);
        var hash = spec == KeySpec.EcP256 ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA384;
        Assert.True(ec.VerifyData(Message, signature.Signature, hash, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        Assert.False((await Client.VerifyAsync(key.Id, new VerifyRequest([.. Message, 1], signature.Signature, scheme))).Valid);

        // A digest made outside, signed inside (PKCS#11 CKM_ECDSA).
        byte[] digest = spec == KeySpec.EcP256 ? SHA256.HashData(Message) : SHA384.HashData(Message);
        var overDigest = await Client.SignAsync(key.Id, new SignRequest(digest, Scheme.EcdsaDigest));
        Assert.True(ec.VerifyHash(digest, overDigest.Signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Theory]
    [InlineData(Scheme.RsaPkcs1Sha256)]
    [InlineData(Scheme.RsaPssSha256)]
    [InlineData(Scheme.RsaPssSha512)]
    public async Task Rsa_signatures_verify_with_platform_crypto(Scheme scheme)
    {
        var key = await Client.CreateKeyAsync(KeySpec.Rsa2048, KeyUsage.Sign);
        var signature = await Client.SignAsync(key.Id, new SignRequest(Message, scheme));
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(key.PublicKey, out _);
        var hash = scheme == Scheme.RsaPssSha512 ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256;
        var padding = scheme == Scheme.RsaPkcs1Sha256 ? RSASignaturePadding.Pkcs1 : RSASignaturePadding.Pss;
        Assert.True(rsa.VerifyData(Message, signature.Signature, hash, padding));
        Assert.True((await Client.VerifyAsync(key.Id, new VerifyRequest(Message, signature.Signature, scheme))).Valid);
    }

    [Fact]
    public async Task Rsa_oaep_ciphertext_made_outside_decrypts_inside_and_the_enclave_refuses_a_truncated_one()
    {
        var key = await Client.CreateKeyAsync(KeySpec.Rsa3072, KeyUsage.Encrypt);
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(key.PublicKey, out _);
        byte[] ciphertext = rsa.Encrypt(Message, RSAEncryptionPadding.OaepSHA256);
        Assert.Equal(Message, (await Client.DecryptAsync(key.Id, new DecryptRequest(ciphertext, Scheme.RsaOaepSha256))).Plaintext);
        var error = await Assert.ThrowsAsync<CryptoModuleException>(() => Client.DecryptAsync(key.Id, new DecryptRequest(ciphertext[..^1], Scheme.RsaOaepSha256)));
        Assert.Equal(CryptoModuleErrorCodes.InvalidCiphertext, error.Code);
    }

    [Fact]
    public async Task Sm2_signature_with_a_user_id_verifies_with_bouncycastle_and_fails_under_another_user_id()
    {
        var key = await Client.CreateKeyAsync(KeySpec.Sm2, KeyUsage.Sign);
        byte[] userId = Encoding.ASCII.GetBytes("alice@example.com");
        var signature = await Client.SignAsync(key.Id, new SignRequest(Message, Scheme.Sm2Sm3, UserId: userId));
        var publicKey = (ECPublicKeyParameters)PublicKeyFactory.CreateKey(key.PublicKey);
        Assert.True(VerifySm2(publicKey, userId, signature.Signature));
        Assert.False(VerifySm2(publicKey, Encoding.ASCII.GetBytes("1234567812345678"), signature.Signature));
        Assert.False((await Client.VerifyAsync(key.Id, new VerifyRequest(Message, signature.Signature, Scheme.Sm2Sm3, UserId: [1, 2, 3]))).Valid);
    }

    [Fact]
    public async Task Sm2_encryption_round_trips_and_an_altered_c3_is_refused()
    {
        var key = await Client.CreateKeyAsync(KeySpec.Sm2, KeyUsage.Encrypt);
        var encrypted = await Client.EncryptAsync(key.Id, new EncryptRequest(Message));
        Assert.Equal(Message, (await Client.DecryptAsync(key.Id, new DecryptRequest(encrypted.Ciphertext))).Plaintext);
        encrypted.Ciphertext[70] ^= 1;
        var error = await Assert.ThrowsAsync<CryptoModuleException>(() => Client.DecryptAsync(key.Id, new DecryptRequest(encrypted.Ciphertext)));
        Assert.Equal(CryptoModuleErrorCodes.InvalidCiphertext, error.Code);
    }

    [Theory]
    [InlineData(KeySpec.Aes256, Scheme.Gcm)]
    [InlineData(KeySpec.Aes256, Scheme.Cbc)]
    [InlineData(KeySpec.Aes256, Scheme.Ecb)]
    [InlineData(KeySpec.Sm4, Scheme.Gcm)]
    [InlineData(KeySpec.Sm4, Scheme.Cbc)]
    [InlineData(KeySpec.Sm4, Scheme.Ecb)]
    public async Task Symmetric_modes_round_trip_and_a_flipped_bit_or_truncation_never_returns_the_plaintext(KeySpec spec, Scheme scheme)
    {
        var key = await Client.CreateKeyAsync(spec, KeyUsage.Encrypt);
        byte[] aad = scheme == Scheme.Gcm ? [9, 9] : null!;
        var encrypted = await Client.EncryptAsync(key.Id, new EncryptRequest(Message, scheme, Aad: aad));
        Assert.Equal(Message, (await Client.DecryptAsync(key.Id, new DecryptRequest(encrypted.Ciphertext, scheme, encrypted.Iv, aad, encrypted.Version))).Plaintext);

        var truncated = await Assert.ThrowsAsync<CryptoModuleException>(() =>
            Client.DecryptAsync(key.Id, new DecryptRequest(encrypted.Ciphertext[..^1], scheme, encrypted.Iv, aad)));
        Assert.Equal(CryptoModuleErrorCodes.InvalidCiphertext, truncated.Code);
        if (scheme == Scheme.Gcm)
        {
            encrypted.Ciphertext[0] ^= 1;
            var tampered = await Assert.ThrowsAsync<CryptoModuleException>(() =>
                Client.DecryptAsync(key.Id, new DecryptRequest(encrypted.Ciphertext, scheme, encrypted.Iv, aad)));
            Assert.Equal(CryptoModuleErrorCodes.InvalidCiphertext, tampered.Code);
        }
    }

    [Fact]
    public async Task Aes_key_wrap_needs_a_wrap_key_and_round_trips()
    {
        var wrapKey = await Client.CreateKeyAsync(KeySpec.Aes256, KeyUsage.Wrap);
        byte[] secret = RandomNumberGenerator.GetBytes(32);
        var wrapped = await Client.EncryptAsync(wrapKey.Id, new EncryptRequest(secret, Scheme.AesKeyWrap));
        Assert.Equal(40, wrapped.Ciphertext.Length);
        Assert.Equal(secret, (await Client.DecryptAsync(wrapKey.Id, new DecryptRequest(wrapped.Ciphertext, Scheme.AesKeyWrap))).Plaintext);

        var encryptKey = await Client.CreateKeyAsync(KeySpec.Aes256, KeyUsage.Encrypt);
        var error = await Assert.ThrowsAsync<CryptoModuleException>(() => Client.EncryptAsync(encryptKey.Id, new EncryptRequest(secret, Scheme.AesKeyWrap)));
        Assert.Equal(CryptoModuleErrorCodes.WrongKeyUsage, error.Code);
    }

    [Theory]
    [InlineData(KeySpec.HmacSha256, 32)]
    [InlineData(KeySpec.HmacSha384, 48)]
    [InlineData(KeySpec.HmacSm3, 32)]
    public async Task Mac_verifies_and_a_changed_mac_does_not(KeySpec spec, int size)
    {
        var key = await Client.CreateKeyAsync(spec, KeyUsage.Mac);
        var mac = await Client.MacAsync(key.Id, new MacRequest(Message));
        Assert.Equal(size, mac.Mac.Length);
        Assert.True((await Client.MacVerifyAsync(key.Id, new MacVerifyRequest(Message, mac.Mac))).Valid);
        mac.Mac[^1] ^= 1;
        Assert.False((await Client.MacVerifyAsync(key.Id, new MacVerifyRequest(Message, mac.Mac))).Valid);
    }

    [Fact]
    public async Task Digests_match_platform_sha2_and_bouncycastle_sm3()
    {
        Assert.Equal(SHA256.HashData(Message), (await Client.DigestAsync(new DigestRequest(Message, Scheme.Sha256))).Digest);
        Assert.Equal(SHA512.HashData(Message), (await Client.DigestAsync(new DigestRequest(Message, Scheme.Sha512))).Digest);
        var sm3 = new SM3Digest();
        sm3.BlockUpdate(Message);
        var expected = new byte[32];
        sm3.DoFinal(expected, 0);
        Assert.Equal(expected, (await Client.DigestAsync(new DigestRequest(Message, Scheme.Sm3))).Digest);
    }

    [Fact]
    public async Task Random_bytes_have_the_asked_length_and_differ()
    {
        var a = await Client.RandomAsync(64);
        var b = await Client.RandomAsync(64);
        Assert.Equal(64, a.Bytes.Length);
        Assert.NotEqual(a.Bytes, b.Bytes);
        var error = await Assert.ThrowsAsync<CryptoModuleException>(() => Client.RandomAsync(0));
        Assert.Equal(CryptoModuleErrorCodes.InvalidInput, error.Code);
    }

    [Fact]
    public async Task Generated_data_key_is_recovered_by_decrypting_its_wrapped_copy()
    {
        var key = await Client.CreateKeyAsync(KeySpec.Aes256, KeyUsage.Encrypt);
        var dataKey = await Client.GenerateDataKeyAsync(key.Id, new DataKeyRequest(32));
        Assert.Equal(32, dataKey.Plaintext.Length);
        var recovered = await Client.DecryptAsync(key.Id, new DecryptRequest(dataKey.Ciphertext, Scheme.Gcm, dataKey.Iv, Version: dataKey.Version));
        Assert.Equal(dataKey.Plaintext, recovered.Plaintext);
    }

    [Fact]
    public async Task One_mebibyte_gcm_goes_through_shared_memory_and_round_trips()
    {
        var key = await Client.CreateKeyAsync(KeySpec.Aes256, KeyUsage.Encrypt);
        byte[] data = RandomNumberGenerator.GetBytes(1 << 20);
        var encrypted = await Client.EncryptAsync(key.Id, new EncryptRequest(data));
        Assert.Equal(data.Length + 16, encrypted.Ciphertext.Length);
        Assert.Equal(data, (await Client.DecryptAsync(key.Id, new DecryptRequest(encrypted.Ciphertext, Scheme.Gcm, encrypted.Iv))).Plaintext);

        // The large path encrypts straight into the response; with a given IV and AAD it is the standard GCM, and its
        // refusals are the same typed errors as the general path's.
        byte[] iv = RandomNumberGenerator.GetBytes(12);
        var withIv = await Client.EncryptAsync(key.Id, new EncryptRequest(data, Scheme.Gcm, iv, [7, 7]));
        Assert.Equal(iv, withIv.Iv);
        Assert.Equal(data, (await Client.DecryptAsync(key.Id, new DecryptRequest(withIv.Ciphertext, Scheme.Gcm, iv, [7, 7]))).Plaintext);
        var shortIv = await Assert.ThrowsAsync<CryptoModuleException>(() => Client.EncryptAsync(key.Id, new EncryptRequest(data, Scheme.Gcm, new byte[8])));
        Assert.Equal(CryptoModuleErrorCodes.InvalidInput, shortIv.Code);
        var mac = await Client.CreateKeyAsync(KeySpec.HmacSha256, KeyUsage.Mac);
        var wrongUsage = await Assert.ThrowsAsync<CryptoModuleException>(() => Client.EncryptAsync(mac.Id, new EncryptRequest(data)));
        Assert.Equal(CryptoModuleErrorCodes.WrongKeyUsage, wrongUsage.Code);
    }

    private static bool VerifySm2(ECPublicKeyParameters publicKey, byte[] userId, byte[] signature)
    {
        var verifier = new SM2Signer(PlainDsaEncoding.Instance, new SM3Digest());
        verifier.Init(false, new ParametersWithID(publicKey, userId));
        verifier.BlockUpdate(Message);
        return verifier.VerifySignature(signature);
    }
}
