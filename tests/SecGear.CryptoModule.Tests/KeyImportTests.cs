using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using SecGear.Attestation;
using SecGear.Attestation.Simulation;
using SecGear.Cli;
using SecGear.CryptoModule.Client;
using SecGear.CryptoModule.Keys;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;

namespace SecGear.CryptoModule.Tests;

/// <summary>Keys imported wrapped to the attested enclave's import key: the host relays ciphertext only.</summary>
public sealed class KeyImportTests(ModuleFixture fixture) : IClassFixture<ModuleFixture>
{
    private static readonly byte[] Message = "imported, then used"u8.ToArray();

    [Fact]
    public async Task An_imported_P256_key_signs_inside_the_module_and_keeps_its_public_key()
    {
        using var local = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var info = await fixture.Tenant.ImportKeyAsync(Verifier(), TrustedPolicy(), "imported-ec", KeySpec.EcP256, KeyUsage.Sign, local.ExportPkcs8PrivateKey());
        Assert.Equal(local.ExportSubjectPublicKeyInfo(), info.PublicKey);
        byte[] signature = (await fixture.Tenant.SignAsync("imported-ec", new SignRequest(Message))).Signature;
        Assert.True(local.VerifyData(Message, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Fact]
    public async Task An_imported_AES_key_encrypts_what_the_owner_decrypts_with_the_original()
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        await fixture.Tenant.ImportKeyAsync(Verifier(), TrustedPolicy(), "imported-aes", KeySpec.Aes256, KeyUsage.Encrypt, key);
        var encrypted = await fixture.Tenant.EncryptAsync("imported-aes", new EncryptRequest(Message));
        byte[] plaintext = new byte[Message.Length];
        using var gcm = new AesGcm(key, 16);
        gcm.Decrypt(encrypted.Iv, encrypted.Ciphertext.AsSpan(0, Message.Length), encrypted.Ciphertext.AsSpan(Message.Length), plaintext);
        Assert.Equal(Message, plaintext);
    }

    [Fact]
    public async Task An_imported_SM2_scalar_signs_and_its_public_key_verifies()
    {
        byte[] scalar = Convert.FromHexString("3945208F7B2144B13F36E38AC6D39F95889393692860B51A42FB81EF4DF7C5B8");
        var info = await fixture.Tenant.ImportKeyAsync(Verifier(), TrustedPolicy(), "imported-sm2", KeySpec.Sm2, KeyUsage.Sign, scalar);
        // GB/T 32918.5's example key: the public point the module derived is the standard's.
        Assert.EndsWith("09F9DF311E5421A150DD7D161E4BC5C672179FAD1833FC076BB08FF356F35020CCEA490CE26775A52DC6EA718CC1AA600AED05FBF35E084A6632F6072DA9AD13",
            Convert.ToHexString(info.PublicKey!), StringComparison.Ordinal);
        byte[] signature = (await fixture.Tenant.SignAsync("imported-sm2", new SignRequest(Message))).Signature;
        Assert.True((await fixture.Tenant.VerifyAsync("imported-sm2", new VerifyRequest(Message, signature))).Valid);
    }

    [Fact]
    public async Task Imported_material_becomes_the_next_version_and_old_ciphertexts_still_decrypt_with_their_version()
    {
        var first = await fixture.Tenant.CreateKeyAsync(KeySpec.Aes256, KeyUsage.Encrypt, "rotated-in");
        var before = await fixture.Tenant.EncryptAsync(first.Id, new EncryptRequest(Message));
        byte[] outside = RandomNumberGenerator.GetBytes(32);
        var rotated = await fixture.Tenant.ImportKeyVersionAsync(Verifier(), TrustedPolicy(), first.Id, outside);
        Assert.Equal(2u, rotated.PrimaryVersion);

        var after = await fixture.Tenant.EncryptAsync(first.Id, new EncryptRequest(Message));
        Assert.Equal(2u, after.Version);
        byte[] plaintext = new byte[Message.Length];
        using (var gcm = new AesGcm(outside, 16))
        {
            gcm.Decrypt(after.Iv, after.Ciphertext.AsSpan(0, Message.Length), after.Ciphertext.AsSpan(Message.Length), plaintext);
        }

        Assert.Equal(Message, plaintext);
        Assert.Equal(Message, (await fixture.Tenant.DecryptAsync(first.Id, new DecryptRequest(before.Ciphertext, Iv: before.Iv, Version: 1))).Plaintext);
    }

    [Fact]
    public async Task Material_wrapped_for_one_version_does_not_import_as_another_and_a_stale_version_is_a_conflict()
    {
        await fixture.Tenant.CreateKeyAsync(KeySpec.Aes256, KeyUsage.Encrypt, "versioned");
        var parameters = await fixture.Tenant.GetImportParametersAsync(Verifier(), TrustedPolicy());
        byte[] material = RandomNumberGenerator.GetBytes(32);

        // Wrapped for version 3 but the key is at 1: the service refuses before the enclave; relabelled as 2 by the host, it does not open.
        var forThree = CryptoModuleClient.WrapKey(parameters.PublicKey, "tenant-a", "versioned", KeySpec.Aes256, KeyUsage.Encrypt, material, version: 3);
        var stale = await Assert.ThrowsAsync<CryptoModuleException>(() => fixture.Tenant.ImportKeyVersionAsync("versioned", new ImportKeyVersionRequest(3, forThree)));
        Assert.Equal(CryptoModuleErrorCodes.ConcurrentRotation, stale.Code);
        var relabelled = await Assert.ThrowsAsync<CryptoModuleException>(() => fixture.Tenant.ImportKeyVersionAsync("versioned", new ImportKeyVersionRequest(2, forThree)));
        Assert.Equal(CryptoModuleErrorCodes.InvalidCiphertext, relabelled.Code);

        // Version-1 material (a new key's wrapping) cannot be replayed as a rotation either.
        var forOne = CryptoModuleClient.WrapKey(parameters.PublicKey, "tenant-a", "versioned", KeySpec.Aes256, KeyUsage.Encrypt, material);
        Assert.Equal(CryptoModuleErrorCodes.InvalidCiphertext,
            (await Assert.ThrowsAsync<CryptoModuleException>(() => fixture.Tenant.ImportKeyVersionAsync("versioned", new ImportKeyVersionRequest(2, forOne)))).Code);
        Assert.Equal(1u, (await fixture.Tenant.GetKeyAsync("versioned")).PrimaryVersion);
    }

    [Fact]
    public async Task Material_wrapped_for_one_key_id_does_not_import_as_another()
    {
        var parameters = await fixture.Tenant.GetImportParametersAsync(Verifier(), TrustedPolicy());
        var wrapped = CryptoModuleClient.WrapKey(parameters.PublicKey, "tenant-a", "meant-for-this", KeySpec.Aes256, KeyUsage.Encrypt, RandomNumberGenerator.GetBytes(32));
        var error = await Assert.ThrowsAsync<CryptoModuleException>(() =>
            fixture.Tenant.ImportKeyAsync(new ImportKeyRequest(KeySpec.Aes256, KeyUsage.Encrypt, "relabelled-by-host", wrapped)));
        Assert.Equal(CryptoModuleErrorCodes.InvalidCiphertext, error.Code);
        var usage = await Assert.ThrowsAsync<CryptoModuleException>(() =>
            fixture.Tenant.ImportKeyAsync(new ImportKeyRequest(KeySpec.Aes256, KeyUsage.Wrap, "meant-for-this", wrapped)));
        Assert.Equal(CryptoModuleErrorCodes.InvalidCiphertext, usage.Code);
        await Assert.ThrowsAsync<CryptoModuleException>(() => fixture.Tenant.GetKeyAsync("relabelled-by-host"));
    }

    [Fact]
    public async Task A_tampered_wrapped_key_is_refused_as_invalid_ciphertext()
    {
        var parameters = await fixture.Tenant.GetImportParametersAsync(Verifier(), TrustedPolicy());
        var wrapped = CryptoModuleClient.WrapKey(parameters.PublicKey, "tenant-a", "tampered", KeySpec.Aes256, KeyUsage.Encrypt, RandomNumberGenerator.GetBytes(32));
        wrapped.Ciphertext[5] ^= 1;
        var error = await Assert.ThrowsAsync<CryptoModuleException>(() =>
            fixture.Tenant.ImportKeyAsync(new ImportKeyRequest(KeySpec.Aes256, KeyUsage.Encrypt, "tampered", wrapped)));
        Assert.Equal(CryptoModuleErrorCodes.InvalidCiphertext, error.Code);
        var truncated = await Assert.ThrowsAsync<CryptoModuleException>(() =>
            fixture.Tenant.ImportKeyAsync(new ImportKeyRequest(KeySpec.Aes256, KeyUsage.Encrypt, "tampered", wrapped with { Tag = wrapped.Tag[..8] })));
        Assert.Equal(CryptoModuleErrorCodes.MalformedRequest, truncated.Code);
    }

    [Fact]
    public async Task Material_that_does_not_fit_the_spec_is_refused()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var curve = await Assert.ThrowsAsync<CryptoModuleException>(() =>
            fixture.Tenant.ImportKeyAsync(Verifier(), TrustedPolicy(), "wrong-curve", KeySpec.EcP256, KeyUsage.Sign, p384.ExportPkcs8PrivateKey()));
        Assert.Equal(CryptoModuleErrorCodes.InvalidInput, curve.Code);
        Assert.Contains("1.3.132.0.34", curve.Message, StringComparison.Ordinal);
        var size = await Assert.ThrowsAsync<CryptoModuleException>(() =>
            fixture.Tenant.ImportKeyAsync(Verifier(), TrustedPolicy(), "short-aes", KeySpec.Aes256, KeyUsage.Encrypt, new byte[16]));
        Assert.Equal(CryptoModuleErrorCodes.InvalidInput, size.Code);
        var sm2 = await Assert.ThrowsAsync<CryptoModuleException>(() =>
            fixture.Tenant.ImportKeyAsync(Verifier(), TrustedPolicy(), "zero-sm2", KeySpec.Sm2, KeyUsage.Sign, new byte[32]));
        Assert.Equal(CryptoModuleErrorCodes.InvalidInput, sm2.Code);
    }

    [Fact]
    public async Task Nothing_is_wrapped_for_an_enclave_the_policy_does_not_trust()
    {
        var error = await Assert.ThrowsAsync<CryptoModuleException>(() => fixture.Tenant.ImportKeyAsync(
            Verifier(), new AttestationPolicy { AllowSimulation = true, AllowedUniqueIds = [new byte[32]] }, "untrusted", KeySpec.Aes256, KeyUsage.Encrypt, new byte[32]));
        Assert.Equal(CryptoModuleClient.EnclaveNotTrusted, error.Code);
        await Assert.ThrowsAsync<CryptoModuleException>(() => fixture.Tenant.GetKeyAsync("untrusted"));
    }

    [Fact]
    public void Crypto_key_import_wraps_a_PEM_key_to_the_attested_enclave_and_imports_it()
    {
        string directory = Directory.CreateTempSubdirectory("secgear-cm-import-").FullName;
        try
        {
            using var local = ECDsa.Create(ECCurve.NamedCurves.nistP384);
            string pem = Path.Combine(directory, "key.pem");
            File.WriteAllText(pem, local.ExportPkcs8PrivateKeyPem());
            var (credential, policy, ca) = CliFiles(directory);
            var output = new StringWriter();
            int code = SecGearCli.Run(
                ["crypto", "--url", fixture.Module.Url, "--credential-file", credential, "key", "import", "--spec", "EcP384", "--usage", "Sign", "--id", "cli-imported",
                    "--material", pem, "--policy", policy, "--simulation-ca", ca], output, output);
            Assert.True(code == 0, output.ToString());
            Assert.Contains("imported cli-imported  EcP384  Sign  v1", output.ToString(), StringComparison.Ordinal);

            File.WriteAllText(policy, """{ "allowSimulation": true, "allowedUniqueIds": ["00000000000000000000000000000000000000000000000000000000000000aa"] }""");
            output = new StringWriter();
            code = SecGearCli.Run(
                ["crypto", "--url", fixture.Module.Url, "--credential-file", credential, "key", "import", "--spec", "EcP384", "--usage", "Sign", "--id", "cli-refused",
                    "--material", pem, "--policy", policy, "--simulation-ca", ca], output, output);
            Assert.Equal(SecGearCli.Failure, code);
            Assert.Contains(CryptoModuleClient.EnclaveNotTrusted, output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            TestDirectories.Delete(directory);
        }
    }

    [Fact]
    public async Task Crypto_key_import_version_makes_outside_material_the_keys_next_primary_version()
    {
        string directory = Directory.CreateTempSubdirectory("secgear-cm-import-version-").FullName;
        try
        {
            var key = await fixture.Tenant.CreateKeyAsync(KeySpec.Aes256, KeyUsage.Encrypt, "cli-versioned");
            var before = await fixture.Tenant.EncryptAsync(key.Id, new EncryptRequest("version one"u8.ToArray()));
            byte[] material = RandomNumberGenerator.GetBytes(32);
            string file = Path.Combine(directory, "aes.key");
            File.WriteAllBytes(file, material);
            var (credential, policy, ca) = CliFiles(directory);
            var output = new StringWriter();
            int code = SecGearCli.Run(
                ["crypto", "--url", fixture.Module.Url, "--credential-file", credential, "key", "import-version", "--id", key.Id,
                    "--material", file, "--policy", policy, "--simulation-ca", ca], output, output);
            Assert.True(code == 0, output.ToString());
            Assert.Contains("imported cli-versioned  Aes256  Encrypt  v2", output.ToString(), StringComparison.Ordinal);

            // The owner of the material decrypts what version 2 encrypts; version 1 ciphertexts still decrypt.
            var after = await fixture.Tenant.EncryptAsync(key.Id, new EncryptRequest("version two"u8.ToArray()));
            Assert.Equal(2u, after.Version);
            using var gcm = new AesGcm(material, 16);
            byte[] plaintext = new byte[after.Ciphertext.Length - 16];
            gcm.Decrypt(after.Iv, after.Ciphertext.AsSpan(0, plaintext.Length), after.Ciphertext.AsSpan(plaintext.Length), plaintext);
            Assert.Equal("version two"u8.ToArray(), plaintext);
            Assert.Equal("version one"u8.ToArray(), (await fixture.Tenant.DecryptAsync(key.Id, new DecryptRequest(before.Ciphertext, Iv: before.Iv, Version: 1))).Plaintext);
        }
        finally
        {
            TestDirectories.Delete(directory);
        }
    }

    /// <summary>The tenant credential and a policy trusting this module's measurement in files, and the simulated CA's certificate.</summary>
    private (string Credential, string Policy, string Ca) CliFiles(string directory)
    {
        string credential = Path.Combine(directory, "credential");
        File.WriteAllText(credential, fixture.Credential);
        string policy = Path.Combine(directory, "policy.json");
        File.WriteAllText(policy, $$"""{ "allowSimulation": true, "allowedUniqueIds": ["{{Identity.MeasurementHex}}"] }""");
        return (credential, policy, SimulatedAttestationAuthority.CaCertificatePath(new SimulatedPlatformOptions().SecretPath));
    }

    private SecGear.Identity.EnclaveIdentity Identity => fixture.Module.Services.GetRequiredService<ModuleEnclave>().Identity;

    private AttestationPolicy TrustedPolicy() => new() { AllowSimulation = true, AllowedUniqueIds = [Identity.Measurement], AllowedSignerIds = [Identity.Signer] };

    private static AttestationVerifier Verifier()
    {
        var verifier = AttestationVerifier.CreateDefault();
        verifier.Register(new SimulationEvidenceVerifier(TrustAnchors.FromFingerprints([]).Add(SimulatedAttestationAuthority.EnsureCaCertificate())));
        return verifier;
    }
}
