using Microsoft.Extensions.DependencyInjection;
using SecGear.CryptoModule.Client;
using SecGear.CryptoModule.Hosting;
using SecGear.CryptoModule.Keys;

namespace SecGear.CryptoModule.Tests;

/// <summary><c>CryptoModule:Switchless=false</c>: every ECALL is a regular call (the benchmarks compare both).</summary>
public sealed class RegularCallTests
{
    [Fact]
    public async Task With_switchless_off_the_module_starts_and_serves_every_call_as_a_regular_ecall()
    {
        var settings = ModuleFixture.Settings;
        settings["CryptoModule:Switchless"] = "false";
        await using var module = await EmbeddedCryptoModule.StartAsync(TestDirectories.NewAtExit(), settings);
        Assert.False(module.Services.GetRequiredService<ModuleEnclave>().IsSwitchless);
        using var http = new HttpClient { BaseAddress = new Uri(module.Url + "/") };
        var client = new CryptoModuleClient(http, (await new CryptoModuleClient(http, adminKey: module.AdminKey).CreateTenantAsync("regular")).Credential);
        // RSA-4096 generation answers ~3 KiB; a 1 KiB GCM is the benchmarks' small operation.
        await client.CreateKeyAsync(KeySpec.Rsa4096, KeyUsage.Sign, "big");
        await client.CreateKeyAsync(KeySpec.Aes256, KeyUsage.Encrypt, "aes");
        byte[] data = new byte[1024];
        var encrypted = await client.EncryptAsync("aes", new EncryptRequest(data));
        Assert.Equal(data, (await client.DecryptAsync("aes", new DecryptRequest(encrypted.Ciphertext, Iv: encrypted.Iv))).Plaintext);
        byte[] signature = (await client.SignAsync("big", new SignRequest(data))).Signature;
        Assert.True((await client.VerifyAsync("big", new VerifyRequest(data, signature))).Valid);
    }
}
