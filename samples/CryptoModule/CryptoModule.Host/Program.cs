using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using SecGear.Attestation;
using SecGear.Attestation.Simulation;
using SecGear.CryptoModule;
using SecGear.CryptoModule.Client;
using SecGear.CryptoModule.Hosting;
using SecGear.Images;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;

// The TEE crypto module, end to end: start the module (its enclave on the simulation engine, SQLite store), verify
// its enclave before sending anything, create a tenant, generate keys inside the enclave, sign/verify and
// encrypt/decrypt over the JSON API and through PKCS#11 with OpenSC's pkcs11-tool, restart, use the same keys.
// `--demo` runs every step and exits 0 only if each one succeeded; `--data DIR` keeps the module's data.
bool demo = args.Contains("--demo");
int dataIndex = Array.IndexOf(args, "--data");
string dataDirectory = dataIndex >= 0 && dataIndex + 1 < args.Length ? args[dataIndex + 1]
    : Path.Combine(Path.GetTempPath(), "secgear-crypto-module-demo-" + Guid.NewGuid().ToString("N")[..8]);
if (!demo)
{
    Console.WriteLine("usage: CryptoModule.Host --demo [--data DIR]   (runs the whole scenario; see samples/CryptoModule/README.md)");
    return 64;
}

var steps = new DemoSteps();
byte[] message = Encoding.UTF8.GetBytes("pay 42 EUR to Alice");
string pkcs11Library = Path.Combine(AppContext.BaseDirectory, "pkcs11", "libsecgear-pkcs11.so");
string credential = string.Empty;
byte[] ecSignature = [], sm2Signature = [], aesCiphertext = [], aesIv = [], p11Signature = [];
string p11Message = Path.Combine(dataDirectory, "p11-message.txt");

await using (var module = await EmbeddedCryptoModule.StartAsync(dataDirectory))
{
    Console.WriteLine($"module:      {module.Url} (data in {dataDirectory})");
    using var http = new HttpClient { BaseAddress = new Uri(module.Url + "/") };
    var image = EnclaveImage.Load(Path.Combine(AppContext.BaseDirectory, "SecGear.CryptoModule.Enclave.sgimage"));

    // Pinned from the signed image on disk, not from anything the service says.
    var verifier = AttestationVerifier.CreateDefault();
    verifier.Register(new SimulationEvidenceVerifier(TrustAnchors.FromFingerprints([]).Add(SimulatedAttestationAuthority.EnsureCaCertificate())));
    var policy = new AttestationPolicy
    {
        AllowSimulation = true,
        AllowedUniqueIds = [image.Identity.Measurement],
        AllowedSignerIds = [image.Identity.Signer],
    };
    await steps.RunAsync("attest", async () =>
    {
        var claims = await new CryptoModuleClient(http).VerifyEnclaveAsync(verifier, policy);
        return $"enclave measurement {Convert.ToHexStringLower(claims.UniqueId.Span)[..16]}... verified (simulation evidence, fresh nonce)";
    });

    var client = new CryptoModuleClient(http);
    await steps.RunAsync("tenant", async () =>
    {
        credential = (await new CryptoModuleClient(http, adminKey: module.AdminKey).CreateTenantAsync("demo")).Credential;
        client.Credential = credential;
        return "tenant 'demo' created (its credential is the bearer token and the PKCS#11 PIN)";
    });

    await steps.RunAsync("keys", async () =>
    {
        await client.CreateKeyAsync(KeySpec.EcP256, KeyUsage.Sign, "ec-signer");
        await client.CreateKeyAsync(KeySpec.Sm2, KeyUsage.Sign, "sm2-signer");
        await client.CreateKeyAsync(KeySpec.Aes256, KeyUsage.Encrypt, "aes-sealer");
        return "EC P-256, SM2 and AES-256 keys generated inside the enclave";
    });

    await steps.RunAsync("import (wrapped)", async () =>
    {
        // A key made outside: sealed to the import key that the module's verified evidence binds; the host relays ciphertext.
        byte[] own = RandomNumberGenerator.GetBytes(32);
        await client.ImportKeyAsync(verifier, policy, "aes-imported", KeySpec.Aes256, KeyUsage.Encrypt, own);
        var sealedByModule = await client.EncryptAsync("aes-imported", new EncryptRequest(message));
        byte[] opened = new byte[message.Length];
        using var gcm = new AesGcm(own, 16);
        gcm.Decrypt(sealedByModule.Iv!, sealedByModule.Ciphertext.AsSpan(0, message.Length), sealedByModule.Ciphertext.AsSpan(message.Length), opened);
        Check(opened.AsSpan().SequenceEqual(message), "the imported key's ciphertext does not open with the original key");
        return "an AES key imported wrapped to the attested enclave encrypts what the original key decrypts";
    });

    await steps.RunAsync("sign/verify (API)", async () =>
    {
        ecSignature = (await client.SignAsync("ec-signer", new SignRequest(message))).Signature;
        sm2Signature = (await client.SignAsync("sm2-signer", new SignRequest(message, Scheme.Sm2Sm3))).Signature;
        var ec = await client.GetKeyAsync("ec-signer");
        using var platform = ECDsa.Create();
        platform.ImportSubjectPublicKeyInfo(ec.PublicKey, out _);
        Check(platform.VerifyData(message, ecSignature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation), "ECDSA signature does not verify with platform crypto");
        Check((await client.VerifyAsync("sm2-signer", new VerifyRequest(message, sm2Signature, Scheme.Sm2Sm3))).Valid, "SM2 signature does not verify");
        Check(!(await client.VerifyAsync("ec-signer", new VerifyRequest([.. message, 0], ecSignature))).Valid, "a changed message verified");
        return "ECDSA (checked with .NET outside the module) and SM2 signatures verify; a changed message does not";
    });

    await steps.RunAsync("encrypt/decrypt (API)", async () =>
    {
        var encrypted = await client.EncryptAsync("aes-sealer", new EncryptRequest(message));
        (aesCiphertext, aesIv) = (encrypted.Ciphertext, encrypted.Iv!);
        Check((await client.DecryptAsync("aes-sealer", new DecryptRequest(aesCiphertext, Scheme.Gcm, aesIv))).Plaintext.AsSpan().SequenceEqual(message), "AES-GCM round trip");
        byte[] tampered = [.. aesCiphertext];
        tampered[0] ^= 1;
        var refused = await Expect(() => client.DecryptAsync("aes-sealer", new DecryptRequest(tampered, Scheme.Gcm, aesIv)));
        Check(refused == CryptoModuleErrorCodes.InvalidCiphertext, $"tampered ciphertext gave {refused}");
        var dataKey = await client.GenerateDataKeyAsync("aes-sealer", new DataKeyRequest());
        Check((await client.DecryptAsync("aes-sealer", new DecryptRequest(dataKey.Ciphertext, Scheme.Gcm, dataKey.Iv))).Plaintext.AsSpan().SequenceEqual(dataKey.Plaintext), "data key");
        return "AES-256-GCM round trip; a flipped bit is refused (InvalidCiphertext); envelope data key recovered";
    });

    await steps.RunAsync("pkcs11-tool", () =>
    {
        File.WriteAllBytes(p11Message, message);
        string signature = Path.Combine(dataDirectory, "p11.sig");
        string ciphertext = Path.Combine(dataDirectory, "p11.enc");
        string plaintext = Path.Combine(dataDirectory, "p11.dec");
        Pkcs11Tool(module.Url, credential, pkcs11Library, "--list-slots");
        Pkcs11Tool(module.Url, credential, pkcs11Library, "--login", "--pin", credential, "--keypairgen", "--key-type", "EC:prime256v1", "--id", "01", "--label", "p11-ec");
        Pkcs11Tool(module.Url, credential, pkcs11Library, "--login", "--pin", credential, "--sign", "--id", "01", "-m", "ECDSA-SHA256", "-i", p11Message, "-o", signature);
        string verified = Pkcs11Tool(module.Url, credential, pkcs11Library, "--login", "--pin", credential, "--verify", "--id", "01", "-m", "ECDSA-SHA256", "-i", p11Message, "--signature-file", signature);
        Check(verified.Contains("Signature is valid", StringComparison.Ordinal), "pkcs11-tool did not verify the signature");
        p11Signature = File.ReadAllBytes(signature);
        Pkcs11Tool(module.Url, credential, pkcs11Library, "--login", "--pin", credential, "--keygen", "--key-type", "AES:32", "--id", "02", "--label", "p11-aes", "--sensitive");
        Pkcs11Tool(module.Url, credential, pkcs11Library, "--login", "--pin", credential, "--encrypt", "--id", "02", "-m", "AES-CBC-PAD", "--iv", "00112233445566778899aabbccddeeff", "-i", p11Message, "-o", ciphertext);
        Pkcs11Tool(module.Url, credential, pkcs11Library, "--login", "--pin", credential, "--decrypt", "--id", "02", "-m", "AES-CBC-PAD", "--iv", "00112233445566778899aabbccddeeff", "-i", ciphertext, "-o", plaintext);
        Check(File.ReadAllBytes(plaintext).AsSpan().SequenceEqual(message), "pkcs11-tool AES round trip");
        return Task.FromResult("pkcs11-tool: slot listed, EC key pair generated, ECDSA-SHA256 signed and verified, AES-CBC-PAD round trip");
    });
}

Console.WriteLine("restart:     module stopped; starting it again on the same data");
await using (var module = await EmbeddedCryptoModule.StartAsync(dataDirectory))
{
    using var http = new HttpClient { BaseAddress = new Uri(module.Url + "/") };
    var client = new CryptoModuleClient(http, credential);
    await steps.RunAsync("same keys after restart", async () =>
    {
        Check((await client.VerifyAsync("ec-signer", new VerifyRequest(message, ecSignature))).Valid, "old ECDSA signature");
        Check((await client.VerifyAsync("sm2-signer", new VerifyRequest(message, sm2Signature, Scheme.Sm2Sm3))).Valid, "old SM2 signature");
        Check((await client.DecryptAsync("aes-sealer", new DecryptRequest(aesCiphertext, Scheme.Gcm, aesIv))).Plaintext.AsSpan().SequenceEqual(message), "old AES ciphertext");
        string signature = Path.Combine(dataDirectory, "p11-old.sig");
        File.WriteAllBytes(signature, p11Signature);
        string verified = Pkcs11Tool(module.Url, credential, pkcs11Library, "--login", "--pin", credential, "--verify", "--id", "01", "-m", "ECDSA-SHA256", "-i", p11Message, "--signature-file", signature);
        Check(verified.Contains("Signature is valid", StringComparison.Ordinal), "pkcs11-tool signature from before the restart");
        return "old signatures verify and old ciphertext decrypts, over the API and with pkcs11-tool";
    });
}

if (dataIndex < 0)
{
    Directory.Delete(dataDirectory, recursive: true);
}

Console.WriteLine(steps.Failed == 0 ? $"demo:        all {steps.Passed} steps succeeded" : $"demo:        {steps.Failed} of {steps.Passed + steps.Failed} steps FAILED");
return steps.Failed == 0 ? 0 : 1;

static void Check(bool condition, string what)
{
    if (!condition)
    {
        throw new InvalidOperationException(what);
    }
}

static async Task<string> Expect(Func<Task> call)
{
    try
    {
        await call();
        return "no error";
    }
    catch (CryptoModuleException ex)
    {
        return ex.Code;
    }
}

static string Pkcs11Tool(string url, string tenantCredential, string library, params string[] arguments)
{
    if (!File.Exists(library))
    {
        throw new InvalidOperationException($"{library} is missing (built with the sample on Linux)");
    }

    var start = new ProcessStartInfo("pkcs11-tool") { RedirectStandardOutput = true, RedirectStandardError = true };
    start.Environment["SECGEAR_PKCS11_URL"] = url;
    start.Environment["SECGEAR_PKCS11_TENANTS"] = tenantCredential.Split('.')[0];
    start.ArgumentList.Add("--module");
    start.ArgumentList.Add(library);
    foreach (string argument in arguments)
    {
        start.ArgumentList.Add(argument);
    }

    Process process;
    try
    {
        process = Process.Start(start)!;
    }
    catch (System.ComponentModel.Win32Exception)
    {
        throw new InvalidOperationException("pkcs11-tool is not installed (Debian package opensc)");
    }

    using (process)
    {
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        // The PIN is the tenant credential: keep it out of what the demo prints.
        string text = (output.Result + error.Result).Replace(tenantCredential, "<credential>", StringComparison.Ordinal);
        return process.ExitCode == 0 ? text : throw new InvalidOperationException($"pkcs11-tool {arguments.FirstOrDefault(a => a.StartsWith("--", StringComparison.Ordinal) && a != "--login" && a != "--pin")} failed: {text.Trim()}");
    }
}

/// <summary>Runs named steps, printing each outcome; a failed step is counted and the demo goes on.</summary>
internal sealed class DemoSteps
{
    public int Passed { get; private set; }

    public int Failed { get; private set; }

    public async Task RunAsync(string name, Func<Task<string>> step)
    {
        try
        {
            string result = await step();
            Passed++;
            Console.WriteLine($"ok           {name}: {result}");
        }
        catch (Exception ex) when (ex is InvalidOperationException or CryptoModuleException or HttpRequestException or CryptographicException)
        {
            Failed++;
            Console.WriteLine($"FAILED       {name}: {ex.Message}");
        }
    }
}
