using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace SecGear.CryptoModule.Tests;

/// <summary>Pkcs11Interop (a .NET PKCS#11 client) loading the NativeAOT library into this process.</summary>
[Collection(Pkcs11Collection.Name)]
public sealed class Pkcs11InteropTests(Pkcs11Fixture fixture)
{
    private static readonly Pkcs11InteropFactories Factories = CreateFactories();

    [Pkcs11Fact(needsTool: false)]
    public void Aes_gcm_through_pkcs11interop_round_trips_and_a_tampered_tag_is_CKR_ENCRYPTED_DATA_INVALID()
    {
        using var library = Factories.Pkcs11LibraryFactory.LoadPkcs11Library(Factories, Pkcs11Fixture.LibraryPath, AppType.MultiThreaded);
        using var session = Login(library);
        var key = session.GenerateKey(Factories.MechanismFactory.Create(CKM.CKM_AES_KEY_GEN),
        [
            Factories.ObjectAttributeFactory.Create(CKA.CKA_VALUE_LEN, 32UL),
            Factories.ObjectAttributeFactory.Create(CKA.CKA_ENCRYPT, true),
            Factories.ObjectAttributeFactory.Create(CKA.CKA_DECRYPT, true),
            Factories.ObjectAttributeFactory.Create(CKA.CKA_LABEL, "interop-aes"),
        ]);
        byte[] iv = RandomNumberGenerator.GetBytes(12);
        byte[] aad = [1, 2, 3];
        var mechanism = Factories.MechanismFactory.Create(CKM.CKM_AES_GCM, Factories.MechanismParamsFactory.CreateCkGcmParams(iv, 96, aad, 128));
        byte[] plaintext = RandomNumberGenerator.GetBytes(1000);
        byte[] ciphertext = session.Encrypt(mechanism, key, plaintext);
        Assert.Equal(plaintext.Length + 16, ciphertext.Length);
        Assert.Equal(plaintext, session.Decrypt(mechanism, key, ciphertext));

        ciphertext[^1] ^= 1;
        var error = Assert.Throws<Pkcs11Exception>(() => session.Decrypt(mechanism, key, ciphertext));
        Assert.Equal(CKR.CKR_ENCRYPTED_DATA_INVALID, error.RV);

        // The secret never leaves: CKA_VALUE is sensitive, CKA_EXTRACTABLE false.
        var attributes = session.GetAttributeValue(key, [CKA.CKA_VALUE, CKA.CKA_EXTRACTABLE, CKA.CKA_SENSITIVE]);
        Assert.True(attributes[0].CannotBeRead);
        Assert.False(attributes[1].GetValueAsBool());
        Assert.True(attributes[2].GetValueAsBool());
    }

    [Pkcs11Fact(needsTool: false)]
    public void Sm3_C_Digest_one_shot_and_in_parts_equals_bouncycastle_without_login()
    {
        using var library = Factories.Pkcs11LibraryFactory.LoadPkcs11Library(Factories, Pkcs11Fixture.LibraryPath, AppType.MultiThreaded);
        var slot = library.GetSlotList(SlotsType.WithTokenPresent)[0];
        using var session = slot.OpenSession(SessionType.ReadOnly);
        var sm3 = Factories.MechanismFactory.Create(0x80534704UL);
        byte[] message = RandomNumberGenerator.GetBytes(1000);
        var expected = new Org.BouncyCastle.Crypto.Digests.SM3Digest();
        expected.BlockUpdate(message, 0, message.Length);
        byte[] reference = new byte[32];
        expected.DoFinal(reference, 0);

        // No login: a digest touches no key.
        Assert.Equal(reference, session.Digest(sm3, message));
        using var stream = new MemoryStream(message);
        Assert.Equal(reference, session.Digest(sm3, stream, 100));
        Assert.Contains(0x80534704UL, slot.GetMechanismList().Select(m => (ulong)m));
    }

    [Pkcs11Fact(needsTool: false)]
    public void Ecdsa_over_a_digest_made_with_C_Digest_verifies_with_platform_crypto()
    {
        using var library = Factories.Pkcs11LibraryFactory.LoadPkcs11Library(Factories, Pkcs11Fixture.LibraryPath, AppType.MultiThreaded);
        using var session = Login(library);
        session.GenerateKeyPair(Factories.MechanismFactory.Create(CKM.CKM_EC_KEY_PAIR_GEN),
            [Factories.ObjectAttributeFactory.Create(CKA.CKA_EC_PARAMS, Convert.FromHexString("06082A8648CE3D030107")), Factories.ObjectAttributeFactory.Create(CKA.CKA_VERIFY, true)],
            [Factories.ObjectAttributeFactory.Create(CKA.CKA_SIGN, true), Factories.ObjectAttributeFactory.Create(CKA.CKA_ID, new byte[] { 0x77 })],
            out var publicKey, out var privateKey);
        byte[] message = "interop"u8.ToArray();
        byte[] digest = session.Digest(Factories.MechanismFactory.Create(CKM.CKM_SHA256), message);
        Assert.Equal(SHA256.HashData(message), digest);
        byte[] signature = session.Sign(Factories.MechanismFactory.Create(CKM.CKM_ECDSA), privateKey, digest);
        Assert.Equal(64, signature.Length);
        session.Verify(Factories.MechanismFactory.Create(CKM.CKM_ECDSA), publicKey, digest, signature, out bool valid);
        Assert.True(valid);

        byte[] point = session.GetAttributeValue(publicKey, [CKA.CKA_EC_POINT])[0].GetValueAsByteArray();
        using var ec = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = point[3..35], Y = point[35..67] },
        });
        Assert.True(ec.VerifyHash(digest, signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

        var wrongMechanism = Assert.Throws<Pkcs11Exception>(() => session.Sign(Factories.MechanismFactory.Create(CKM.CKM_SHA256_RSA_PKCS), privateKey, message));
        Assert.Equal(CKR.CKR_KEY_TYPE_INCONSISTENT, wrongMechanism.RV);
        Assert.Equal(32, session.GenerateRandom(32).Length);
    }

    [Pkcs11Fact(needsTool: false)]
    public async Task Sm2_sm4_and_hmac_sm3_keys_work_through_the_vendor_mechanisms()
    {
        using var library = Factories.Pkcs11LibraryFactory.LoadPkcs11Library(Factories, Pkcs11Fixture.LibraryPath, AppType.MultiThreaded);
        using var session = Login(library);
        var attributes = Factories.ObjectAttributeFactory;
        var mechanisms = Factories.MechanismFactory;
        Assert.Contains(0x80534702UL, library.GetSlotList(SlotsType.WithTokenPresent).Single().GetMechanismList().Select(m => (ulong)m));

        // SM2: a key pair from the vendor mechanism signs with Z_A of a given signer id; the module verifies it.
        session.GenerateKeyPair(mechanisms.Create(0x80534701UL), [attributes.Create(CKA.CKA_VERIFY, true)],
            [attributes.Create(CKA.CKA_SIGN, true), attributes.Create(CKA.CKA_ID, new byte[] { 0x5A })], out var publicKey, out var privateKey);
        byte[] message = "SM2 through PKCS#11"u8.ToArray();
        byte[] userId = "ALICE123@YAHOO.COM"u8.ToArray();
        byte[] signature = session.Sign(mechanisms.Create(0x80534702UL, userId), privateKey, message);
        session.Verify(mechanisms.Create(0x80534702UL, userId), publicKey, message, signature, out bool valid);
        Assert.True(valid);
        session.Verify(mechanisms.Create(0x80534702UL), publicKey, message, signature, out bool validWithDefaultId);
        Assert.False(validWithDefaultId);
        Assert.True((await fixture.Client.VerifyAsync("p11-5a", new VerifyRequest(message, signature, UserId: userId))).Valid);
        byte[] point = session.GetAttributeValue(publicKey, [CKA.CKA_EC_POINT])[0].GetValueAsByteArray();
        Assert.Equal((await fixture.Client.GetKeyAsync("p11-5a")).PublicKey![^65..], point[2..]);

        // SM4-GCM: a key from the vendor key generation mechanism, CK_GCM_PARAMS as for AES.
        var sm4 = session.GenerateKey(mechanisms.Create(0x80534706UL), [attributes.Create(CKA.CKA_ENCRYPT, true), attributes.Create(CKA.CKA_LABEL, "interop-sm4")]);
        var gcm = mechanisms.Create(0x80534707UL, Factories.MechanismParamsFactory.CreateCkGcmParams(RandomNumberGenerator.GetBytes(12), 96, [9], 128));
        byte[] plaintext = RandomNumberGenerator.GetBytes(300);
        byte[] ciphertext = session.Encrypt(gcm, sm4, plaintext);
        Assert.Equal(plaintext, session.Decrypt(gcm, sm4, ciphertext));
        ciphertext[0] ^= 1;
        Assert.Equal(CKR.CKR_ENCRYPTED_DATA_INVALID, Assert.Throws<Pkcs11Exception>(() => session.Decrypt(gcm, sm4, ciphertext)).RV);
        Assert.Equal(16UL, session.GetAttributeValue(sm4, [CKA.CKA_VALUE_LEN])[0].GetValueAsUlong());

        // HMAC-SM3 through C_Sign/C_Verify; the wrong HMAC mechanism for the key is CKR_KEY_TYPE_INCONSISTENT.
        var hmac = session.GenerateKey(mechanisms.Create(0x80534709UL), [attributes.Create(CKA.CKA_SIGN, true)]);
        byte[] mac = session.Sign(mechanisms.Create(0x80534705UL), hmac, message);
        Assert.Equal(32, mac.Length);
        session.Verify(mechanisms.Create(0x80534705UL), hmac, message, mac, out bool macValid);
        Assert.True(macValid);
        Assert.Equal(CKR.CKR_KEY_TYPE_INCONSISTENT, Assert.Throws<Pkcs11Exception>(() => session.Sign(mechanisms.Create(CKM.CKM_SHA256_HMAC), hmac, message)).RV);
    }

    [Pkcs11Fact(needsTool: false)]
    public async Task Session_objects_are_gone_after_C_CloseSession_and_C_Finalize_while_token_objects_stay()
    {
        var attributes = Factories.ObjectAttributeFactory;
        string tag = Guid.NewGuid().ToString("N")[..8];
        IObjectHandle Aes(ISession session, bool token, string label) => session.GenerateKey(Factories.MechanismFactory.Create(CKM.CKM_AES_KEY_GEN),
        [
            attributes.Create(CKA.CKA_VALUE_LEN, 32UL), attributes.Create(CKA.CKA_ENCRYPT, true), attributes.Create(CKA.CKA_TOKEN, token),
            attributes.Create(CKA.CKA_LABEL, $"{label}-{tag}"),
        ]);
        async Task<bool> Live(string label) =>
            (await fixture.Client.ListKeysAsync()).Keys.Any(k => k.Label == $"{label}-{tag}" && k.State == KeyState.Enabled);

        using (var library = Factories.Pkcs11LibraryFactory.LoadPkcs11Library(Factories, Pkcs11Fixture.LibraryPath, AppType.MultiThreaded))
        {
            var first = Login(library);
            var closed = Aes(first, token: false, "closed-session");
            Aes(first, token: true, "token");
            Assert.False(first.GetAttributeValue(closed, [CKA.CKA_TOKEN])[0].GetValueAsBool());
            byte[] ciphertext = first.Encrypt(Factories.MechanismFactory.Create(CKM.CKM_AES_GCM,
                Factories.MechanismParamsFactory.CreateCkGcmParams(RandomNumberGenerator.GetBytes(12), 96, null, 128)), closed, [1, 2, 3]);
            Assert.Equal(19, ciphertext.Length);
            Assert.True(await Live("closed-session"));

            // Another session of this application sees it; closing the session that made it destroys it.
            // Not disposed here: C_Finalize below must end it (disposing would close it first).
            var second = library.GetSlotList(SlotsType.WithTokenPresent).Single().OpenSession(SessionType.ReadWrite);
            Assert.Single(second.FindAllObjects([attributes.Create(CKA.CKA_LABEL, $"closed-session-{tag}")]));
            first.CloseSession();
            Assert.False(await Live("closed-session"));
            Assert.Empty(second.FindAllObjects([attributes.Create(CKA.CKA_LABEL, $"closed-session-{tag}")]));

            Aes(second, token: false, "finalized");
            Assert.True(await Live("finalized"));
        }

        // Disposing the library called C_Finalize: the open session's object went with it; the token object stays.
        Assert.False(await Live("finalized"));
        Assert.True(await Live("token"));
    }

    private ISession Login(IPkcs11Library library)
    {
        var slot = library.GetSlotList(SlotsType.WithTokenPresent).Single();
        Assert.Equal(fixture.Tenant, slot.GetTokenInfo().Label);
        var session = slot.OpenSession(SessionType.ReadWrite);
        session.Login(CKU.CKU_USER, fixture.Credential);
        return session;
    }

    private static Pkcs11InteropFactories CreateFactories()
    {
        // Debian has only libdl.so.2; Pkcs11Interop 5.3.0 asks for "libdl" (docs/crypto-module.md).
        NativeLibrary.SetDllImportResolver(typeof(Pkcs11InteropFactories).Assembly, (name, _, _) => name == "libdl" ? NativeLibrary.Load("libdl.so.2") : IntPtr.Zero);
        return new Pkcs11InteropFactories();
    }
}
