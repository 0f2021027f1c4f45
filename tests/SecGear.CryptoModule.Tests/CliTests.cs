using SecGear.Cli;

namespace SecGear.CryptoModule.Tests;

/// <summary><c>secgear crypto ...</c> against a running module.</summary>
public sealed class CliTests(ModuleFixture fixture) : IClassFixture<ModuleFixture>
{
    [Fact]
    public void Crypto_verbs_create_a_tenant_and_key_then_sign_verify_encrypt_and_decrypt_files()
    {
        string directory = Directory.CreateTempSubdirectory("secgear-cm-cli-").FullName;
        string adminKey = Path.Combine(fixture.DataDirectory, "admin.key");
        var (code, output) = Run("--admin-key-file", adminKey, "tenant", "create", "cli-tenant");
        Assert.True(code == 0, output);
        string credentialFile = Path.Combine(directory, "credential");
        File.WriteAllText(credentialFile, output.Trim());
        string message = Path.Combine(directory, "message.txt");
        File.WriteAllText(message, "sign me");

        Assert.Contains("cli-ec  EcP256  Sign  Enabled  v1", Run("--credential-file", credentialFile, "key", "create", "--spec", "EcP256", "--usage", "Sign", "--id", "cli-ec").Output, StringComparison.Ordinal);
        string signature = Path.Combine(directory, "message.sig");
        Assert.Equal(0, Run("--credential-file", credentialFile, "sign", "cli-ec", "--in", message, "--out", signature).Code);
        Assert.Equal(0, Run("--credential-file", credentialFile, "verify", "cli-ec", "--in", message, "--signature", signature).Code);
        File.WriteAllText(message, "sign me!");
        Assert.Equal(SecGearCli.Failure, Run("--credential-file", credentialFile, "verify", "cli-ec", "--in", message, "--signature", signature).Code);

        Run("--credential-file", credentialFile, "key", "create", "--spec", "Sm4", "--usage", "Encrypt", "--id", "cli-sm4");
        string ciphertext = Path.Combine(directory, "message.enc");
        var encrypted = Run("--credential-file", credentialFile, "encrypt", "cli-sm4", "--in", message, "--out", ciphertext);
        string iv = encrypted.Output.Split('\n')[0]["iv: ".Length..].Trim();
        string plaintext = Path.Combine(directory, "message.dec");
        Assert.Equal(0, Run("--credential-file", credentialFile, "decrypt", "cli-sm4", "--in", ciphertext, "--iv", iv, "--out", plaintext).Code);
        Assert.Equal("sign me!", File.ReadAllText(plaintext));

        var refused = Run("--credential-file", credentialFile, "sign", "no-such-key", "--in", message, "--out", signature);
        Assert.Equal(SecGearCli.Failure, refused.Code);
        Assert.Contains(CryptoModuleErrorCodes.KeyNotFound, refused.Output, StringComparison.Ordinal);
        TestDirectories.Delete(directory);
    }

    private (int Code, string Output) Run(params string[] arguments)
    {
        var output = new StringWriter();
        int code = SecGearCli.Run(["crypto", "--url", fixture.Module.Url, .. arguments], output, output);
        return (code, output.ToString());
    }
}
