using System.Security.Cryptography;
using System.Text;

namespace SecGear.CryptoModule.Tests;

/// <summary>OpenSC's pkcs11-tool, a client nobody here wrote, driving the module through libsecgear-pkcs11.so.</summary>
[Collection(Pkcs11Collection.Name)]
public sealed class Pkcs11ToolTests(Pkcs11Fixture fixture)
{
    [Pkcs11Fact]
    public void List_slots_shows_the_tenant_as_a_token_that_needs_login()
    {
        var (exit, output) = fixture.Tool("--list-slots");
        Assert.True(exit == 0, output);
        Assert.Contains($"token label        : {fixture.Tenant}", output, StringComparison.Ordinal);
        Assert.Contains("login required", output, StringComparison.Ordinal);
    }

    [Pkcs11Fact]
    public void A_wrong_pin_is_refused_with_CKR_PIN_INCORRECT()
    {
        var (exit, output) = fixture.Tool("--login", "--pin", "not-the-credential", "--list-objects");
        Assert.NotEqual(0, exit);
        Assert.Contains("CKR_PIN_INCORRECT", output, StringComparison.Ordinal);
    }

    [Pkcs11Fact]
    public async Task Ec_key_pair_generated_with_pkcs11_tool_signs_and_the_signature_verifies_with_platform_crypto()
    {
        var (generateExit, generateOutput) = Run("--keypairgen", "--key-type", "EC:prime256v1", "--id", "a1", "--label", "tool-ec");
        Assert.True(generateExit == 0, generateOutput);
        string message = Temp("message", "pay 5 EUR");
        string signature = Temp("signature", string.Empty);
        Assert.Equal(0, Run("--sign", "--id", "a1", "-m", "ECDSA-SHA256", "-i", message, "-o", signature).Exit);
        var (verifyExit, verifyOutput) = Run("--verify", "--id", "a1", "-m", "ECDSA-SHA256", "-i", message, "--signature-file", signature);
        Assert.True(verifyExit == 0 && verifyOutput.Contains("Signature is valid", StringComparison.Ordinal), verifyOutput);

        var key = await fixture.Client.GetKeyAsync("p11-a1");
        using var ec = ECDsa.Create();
        ec.ImportSubjectPublicKeyInfo(key.PublicKey, out _);
        Assert.True(ec.VerifyData(File.ReadAllBytes(message), File.ReadAllBytes(signature), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));

        File.WriteAllText(message, "pay 500 EUR");
        // pkcs11-tool reports C_Verify's CKR_SIGNATURE_INVALID as text (its exit code stays 0).
        string badOutput = Run("--verify", "--id", "a1", "-m", "ECDSA-SHA256", "-i", message, "--signature-file", signature).Output;
        Assert.Contains("Invalid signature", badOutput, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Signature is valid", badOutput, StringComparison.Ordinal);
    }

    [Pkcs11Fact]
    public void Rsa_pss_signature_and_aes_cbc_encryption_round_trip_through_pkcs11_tool()
    {
        Assert.Equal(0, Run("--keypairgen", "--key-type", "RSA:2048", "--id", "b2", "--label", "tool-rsa", "--usage-sign").Exit);
        string message = Temp("rsa-message", "contract text");
        string signature = Temp("rsa-signature", string.Empty);
        Assert.Equal(0, Run("--sign", "--id", "b2", "-m", "SHA256-RSA-PKCS-PSS", "-i", message, "-o", signature).Exit);
        Assert.Contains("Signature is valid", Run("--verify", "--id", "b2", "-m", "SHA256-RSA-PKCS-PSS", "-i", message, "--signature-file", signature).Output, StringComparison.Ordinal);

        Assert.Equal(0, Run("--keygen", "--key-type", "AES:32", "--id", "c3", "--label", "tool-aes", "--sensitive").Exit);
        string iv = "000102030405060708090a0b0c0d0e0f";
        string ciphertext = Temp("aes-ciphertext", string.Empty);
        string plaintext = Temp("aes-plaintext", string.Empty);
        Assert.Equal(0, Run("--encrypt", "--id", "c3", "-m", "AES-CBC-PAD", "--iv", iv, "-i", message, "-o", ciphertext).Exit);
        Assert.NotEqual(File.ReadAllBytes(message), File.ReadAllBytes(ciphertext));
        Assert.Equal(0, Run("--decrypt", "--id", "c3", "-m", "AES-CBC-PAD", "--iv", iv, "-i", ciphertext, "-o", plaintext).Exit);
        Assert.Equal(File.ReadAllBytes(message), File.ReadAllBytes(plaintext));
    }

    [Pkcs11Fact]
    public async Task Hmac_sha256_key_generated_with_pkcs11_tool_macs_and_the_module_verifies_the_mac()
    {
        var (generateExit, generateOutput) = Run("--keygen", "--key-type", "GENERIC:32", "--id", "e5", "--label", "tool-hmac", "--sensitive");
        Assert.True(generateExit == 0, generateOutput);
        string message = Temp("hmac-message", "authenticate me");
        string mac = Temp("hmac", string.Empty);
        var (signExit, signOutput) = Run("--sign", "--id", "e5", "-m", "SHA256-HMAC", "-i", message, "-o", mac);
        Assert.True(signExit == 0, signOutput);
        Assert.Equal(32, File.ReadAllBytes(mac).Length);
        Assert.Contains("Signature is valid", Run("--verify", "--id", "e5", "-m", "SHA256-HMAC", "-i", message, "--signature-file", mac).Output, StringComparison.Ordinal);

        var key = await fixture.Client.GetKeyAsync("p11-e5");
        Assert.Equal(KeySpec.HmacSha256, key.Spec);
        Assert.True((await fixture.Client.MacVerifyAsync("p11-e5", new MacVerifyRequest(File.ReadAllBytes(message), File.ReadAllBytes(mac)))).Valid);
        File.WriteAllText(message, "authenticate me!");
        Assert.DoesNotContain("Signature is valid", Run("--verify", "--id", "e5", "-m", "SHA256-HMAC", "-i", message, "--signature-file", mac).Output, StringComparison.Ordinal);
    }

    [Pkcs11Fact]
    public async Task Sm2_key_signs_with_the_vendor_mechanism_through_pkcs11_tool_and_verifies_in_the_module()
    {
        // pkcs11-tool 0.23 cannot ask for an SM2 key pair (it knows no sm2p256v1 curve; Pkcs11Interop generates one in
        // Pkcs11InteropTests), but it drives the vendor sign/verify mechanism on a module key by its number.
        await fixture.Client.CreateKeyAsync(KeySpec.Sm2, KeyUsage.Sign, "p11-f6", "tool-sm2");
        string message = Temp("sm2-message", "SM2 with Z_A");
        string signature = Temp("sm2-signature", string.Empty);
        var (signExit, signOutput) = Run("--sign", "--id", "f6", "-m", "0x80534702", "-i", message, "-o", signature);
        Assert.True(signExit == 0, signOutput);
        Assert.Equal(64, File.ReadAllBytes(signature).Length);
        Assert.True((await fixture.Client.VerifyAsync("p11-f6", new VerifyRequest(File.ReadAllBytes(message), File.ReadAllBytes(signature)))).Valid);
        Assert.Contains("Signature is valid", Run("--verify", "--id", "f6", "-m", "0x80534702", "-i", message, "--signature-file", signature).Output, StringComparison.Ordinal);
        var listed = Run("--list-objects", "--id", "f6").Output;
        Assert.Contains("tool-sm2", listed, StringComparison.Ordinal);
    }

    [Pkcs11Fact]
    public void Sm3_digest_through_pkcs11_tool_equals_bouncycastles_sm3()
    {
        string message = Temp("sm3-message", "abc");
        string digest = Temp("sm3-digest", string.Empty);
        var (exit, output) = fixture.Tool("--hash", "-m", "0x80534704", "-i", message, "-o", digest);
        Assert.True(exit == 0, output);
        // GB/T 32905-2016 appendix A, example 1: SM3("abc").
        Assert.Equal("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0", Convert.ToHexStringLower(File.ReadAllBytes(digest)));
    }

    [Pkcs11Fact]
    public void Pkcs11_tool_self_test_reports_no_errors()
    {
        Run("--keypairgen", "--key-type", "EC:secp384r1", "--id", "d4", "--label", "test-ec");
        Run("--keypairgen", "--key-type", "RSA:2048", "--id", "d5", "--label", "test-rsa", "--usage-sign");
        var (exit, output) = Run("--test");
        Assert.True(exit == 0, output);
        Assert.Contains("No errors", output, StringComparison.Ordinal);
    }

    private (int Exit, string Output) Run(params string[] arguments) => fixture.Tool(["--login", "--pin", fixture.Credential, .. arguments]);

    private static string Temp(string name, string content)
    {
        string path = Path.Combine(Path.GetTempPath(), $"secgear-p11-{name}-{Guid.NewGuid():N}");
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes(content));
        return path;
    }
}
