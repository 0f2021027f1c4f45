using System.Net.Http.Json;
using SecGear.CryptoModule.Client;
using SecGear.CryptoModule.Hosting;

namespace SecGear.CryptoModule.Tests;

/// <summary>The binary transport's limits and failures: a connection over the limit gets a typed refusal, and a channel survives a module restart.</summary>
public sealed class BinaryTransportRecoveryTests : IAsyncLifetime
{
    private static readonly byte[] Message = "recovery"u8.ToArray();
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "secgear-cm-recovery-" + Guid.NewGuid().ToString("N")[..12]);
    private EmbeddedCryptoModule _module = null!;
    private HttpClient _http = null!;
    private string _credential = null!;

    public async Task InitializeAsync()
    {
        _module = await EmbeddedCryptoModule.StartAsync(_directory, Settings("127.0.0.1:0"));
        _http = new HttpClient { BaseAddress = new Uri(_module.Url + "/") };
        _credential = (await new CryptoModuleClient(_http, adminKey: _module.AdminKey).CreateTenantAsync("recovery")).Credential;
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _module.DisposeAsync();
        TestDirectories.Delete(_directory);
    }

    [Fact]
    public async Task A_connection_over_the_limit_is_refused_with_TooManyConnections_and_the_others_keep_working()
    {
        var tenant = new CryptoModuleClient(_http, _credential);
        var key = await tenant.CreateKeyAsync(KeySpec.Aes256, KeyUsage.Encrypt);
        await using var first = await tenant.OpenChannelAsync(connections: 2);

        var refused = await Assert.ThrowsAsync<CryptoModuleException>(() => tenant.OpenChannelAsync(connections: 1));
        Assert.Equal(CryptoModuleErrorCodes.TooManyConnections, refused.Code);
        Assert.Equal(503, refused.StatusCode);
        Assert.NotEmpty((await first.EncryptAsync(key.Id, new EncryptRequest(Message))).Ciphertext);
    }

    [Fact]
    public async Task A_channel_fails_calls_typed_while_the_module_is_down_and_works_again_after_it_restarts()
    {
        var tenant = new CryptoModuleClient(_http, _credential);
        var key = await tenant.CreateKeyAsync(KeySpec.Aes256, KeyUsage.Encrypt);
        int port = (await _http.GetFromJsonAsync("v1/transports", CryptoModuleJson.Default.BinaryEndpointInfo))!.BinaryPort!.Value;
        await using var channel = await tenant.OpenChannelAsync(connections: 1);
        var sealedData = await channel.EncryptAsync(key.Id, new EncryptRequest(Message));

        await _module.DisposeAsync();
        var down = await Assert.ThrowsAsync<CryptoModuleException>(() => channel.DecryptAsync(key.Id, new DecryptRequest(sealedData.Ciphertext, Iv: sealedData.Iv)));
        Assert.Equal(CryptoModuleClient.Unreachable, down.Code);

        // The same store and the same binary port: the channel reconnects on its next call.
        _module = await EmbeddedCryptoModule.StartAsync(_directory, Settings($"127.0.0.1:{port}"));
        Assert.Equal(Message, (await channel.DecryptAsync(key.Id, new DecryptRequest(sealedData.Ciphertext, Iv: sealedData.Iv))).Plaintext);
        Assert.NotEmpty((await channel.EncryptAsync(key.Id, new EncryptRequest(Message))).Ciphertext);
    }

    private static Dictionary<string, string?> Settings(string binaryEndpoint)
    {
        var settings = ModuleFixture.Settings;
        settings["CryptoModule:BinaryEndpoint"] = binaryEndpoint;
        settings["CryptoModule:BinaryMaxConnections"] = "2";
        return settings;
    }
}
