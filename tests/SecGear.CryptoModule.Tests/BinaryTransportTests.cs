using System.Buffers.Binary;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using SecGear.CryptoModule.Binary;
using SecGear.CryptoModule.Client;

namespace SecGear.CryptoModule.Tests;

/// <summary>The binary transport: same answers, refusals and audit as the JSON API; hostile frames end the connection, not the module.</summary>
public sealed class BinaryTransportTests(ModuleFixture fixture) : IClassFixture<ModuleFixture>
{
    private static readonly byte[] Message = "binary transport"u8.ToArray();

    [Fact]
    public async Task Signatures_and_ciphertexts_from_the_channel_interoperate_with_the_json_api()
    {
        var ec = await fixture.Tenant.CreateKeyAsync(KeySpec.EcP256, KeyUsage.Sign);
        var aes = await fixture.Tenant.CreateKeyAsync(KeySpec.Aes256, KeyUsage.Encrypt);
        var mac = await fixture.Tenant.CreateKeyAsync(KeySpec.HmacSm3, KeyUsage.Mac);
        await using var channel = await fixture.Tenant.OpenChannelAsync();

        var signature = await channel.SignAsync(ec.Id, new SignRequest(Message));
        using var verifier = ECDsa.Create();
        verifier.ImportSubjectPublicKeyInfo(ec.PublicKey, out _);
        Assert.True(verifier.VerifyData(Message, signature.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        Assert.True((await channel.VerifyAsync(ec.Id, new VerifyRequest(Message, signature.Signature))).Valid);
        Assert.False((await channel.VerifyAsync(ec.Id, new VerifyRequest([.. Message, 0], signature.Signature))).Valid);

        var sealedByChannel = await channel.EncryptAsync(aes.Id, new EncryptRequest(Message, Aad: [7]));
        Assert.Equal(Message, (await fixture.Tenant.DecryptAsync(aes.Id, new DecryptRequest(sealedByChannel.Ciphertext, Iv: sealedByChannel.Iv, Aad: [7]))).Plaintext);
        var sealedByJson = await fixture.Tenant.EncryptAsync(aes.Id, new EncryptRequest(Message));
        Assert.Equal(Message, (await channel.DecryptAsync(aes.Id, new DecryptRequest(sealedByJson.Ciphertext, Iv: sealedByJson.Iv))).Plaintext);

        var tag = await channel.MacAsync(mac.Id, new MacRequest(Message));
        Assert.Equal(tag.Mac, (await fixture.Tenant.MacAsync(mac.Id, new MacRequest(Message))).Mac);
        Assert.True((await channel.MacVerifyAsync(mac.Id, new MacVerifyRequest(Message, tag.Mac))).Valid);
    }

    [Fact]
    public async Task Concurrent_calls_share_batches_and_each_gets_its_own_answer_or_refusal()
    {
        var aes = await fixture.Tenant.CreateKeyAsync(KeySpec.Aes256, KeyUsage.Encrypt);
        var sign = await fixture.Tenant.CreateKeyAsync(KeySpec.EcP256, KeyUsage.Sign);
        await using var channel = await fixture.Tenant.OpenChannelAsync(connections: 1);
        var calls = Enumerable.Range(0, 64).Select(async i =>
        {
            byte[] plaintext = BitConverter.GetBytes(i);
            if (i % 4 == 3)
            {
                // A wrong-usage call in the same batch is refused alone.
                var refused = await Assert.ThrowsAsync<CryptoModuleException>(() => channel.EncryptAsync(sign.Id, new EncryptRequest(plaintext)));
                Assert.Equal(CryptoModuleErrorCodes.WrongKeyUsage, refused.Code);
                return;
            }

            var sealedData = await channel.EncryptAsync(aes.Id, new EncryptRequest(plaintext));
            Assert.Equal(plaintext, (await channel.DecryptAsync(aes.Id, new DecryptRequest(sealedData.Ciphertext, Iv: sealedData.Iv))).Plaintext);
        });
        await Task.WhenAll(calls);
    }

    [Fact]
    public async Task Unknown_key_tampered_ciphertext_and_a_disabled_key_get_the_json_apis_codes_and_are_audited()
    {
        var aes = await fixture.Tenant.CreateKeyAsync(KeySpec.Aes256, KeyUsage.Encrypt);
        await using var channel = await fixture.Tenant.OpenChannelAsync();
        Assert.Equal(CryptoModuleErrorCodes.KeyNotFound,
            (await Assert.ThrowsAsync<CryptoModuleException>(() => channel.SignAsync("no-such-key", new SignRequest(Message)))).Code);

        var sealedData = await channel.EncryptAsync(aes.Id, new EncryptRequest(Message));
        byte[] tampered = [.. sealedData.Ciphertext];
        tampered[0] ^= 1;
        var error = await Assert.ThrowsAsync<CryptoModuleException>(() => channel.DecryptAsync(aes.Id, new DecryptRequest(tampered, Iv: sealedData.Iv)));
        Assert.Equal(CryptoModuleErrorCodes.InvalidCiphertext, error.Code);
        Assert.Equal(400, error.StatusCode);

        await fixture.Tenant.DisableKeyAsync(aes.Id);
        Assert.Equal(CryptoModuleErrorCodes.KeyDisabled,
            (await Assert.ThrowsAsync<CryptoModuleException>(() => channel.EncryptAsync(aes.Id, new EncryptRequest(Message)))).Code);

        var audit = (await fixture.Tenant.GetAuditAsync(1000)).Entries.Where(r => r.KeyId == aes.Id).ToList();
        Assert.Contains(audit, r => r.Operation == "encrypt" && r.Outcome == "ok");
        Assert.Contains(audit, r => r.Operation == "decrypt" && r.Outcome == CryptoModuleErrorCodes.InvalidCiphertext);
    }

    [Fact]
    public async Task A_wrong_credential_is_refused_at_the_hello()
    {
        using var stranger = new HttpClient { BaseAddress = fixture.Http.BaseAddress };
        var client = new CryptoModuleClient(stranger, fixture.Credential[..^2] + "xx");
        var error = await Assert.ThrowsAsync<CryptoModuleException>(() => client.OpenChannelAsync());
        Assert.Equal(CryptoModuleErrorCodes.Unauthenticated, error.Code);
    }

    [Theory]
    [InlineData("garbage-hello")]
    [InlineData("huge-length")]
    [InlineData("truncated-batch")]
    [InlineData("unsupported-op")]
    [InlineData("connection-id")]
    [InlineData("frame-cut-short")]
    public async Task Hostile_frames_get_a_refusal_or_a_closed_connection_and_the_module_keeps_serving(string attack)
    {
        int port = (await fixture.Http.GetFromJsonAsync("v1/transports", CryptoModuleJson.Default.BinaryEndpointInfo))!.BinaryPort!.Value;
        using (var socket = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync("127.0.0.1", port);
            await using var stream = new NetworkStream(socket);
            if (attack != "garbage-hello")
            {
                await stream.WriteAsync(BinaryProtocol.EncodeHello(fixture.Credential));
                Assert.NotNull(await BinaryProtocol.ReadFrameAsync(stream, CancellationToken.None));
            }

            byte[] frame = attack switch
            {
                "garbage-hello" => Frame([0x42, 0x00, 0xff]),
                "huge-length" => [0xff, 0xff, 0xff, 0x7f, 1, 2, 3],
                "truncated-batch" => Frame([(byte)'B', 1, 0, 0, 0, 1, 0, (byte)EnclaveOp.Sign, 0, 0, 0, 0, 0, 0, 3, (byte)'a']),
                "connection-id" => Frame([(byte)'B', 0, 0, 0, 0, 1, 0, (byte)EnclaveOp.Sign, 0, 0, 0, 0, 0, 0, 1, (byte)'a', .. new byte[16]]),
                "frame-cut-short" => [16, 0, 0, 0, (byte)'B', 1, 0],
                _ => Frame([(byte)'B', 1, 0, 0, 0, 1, 0, (byte)EnclaveOp.GenerateKey, 0, 0, 0, 0, 0, 0, 1, (byte)'a', .. new byte[16]]),
            };
            await stream.WriteAsync(frame);
            if (attack == "frame-cut-short")
            {
                // The client stops sending in the middle of a frame.
                socket.Shutdown(SocketShutdown.Send);
            }

            var answer = await ReadUntilClosedAsync(stream);
            if (answer is not null)
            {
                var results = new List<BinaryResult>();
                Assert.True(BinaryProtocol.TryDecodeResults(answer, BinaryProtocol.ConnectionId, 1, results, out _));
                Assert.Equal(CryptoModuleErrorCodes.MalformedRequest, results[0].Code);
            }
        }

        await using var channel = await fixture.Tenant.OpenChannelAsync(connections: 1);
        var key = await fixture.Tenant.CreateKeyAsync(KeySpec.Aes256, KeyUsage.Encrypt);
        Assert.NotEmpty((await channel.EncryptAsync(key.Id, new EncryptRequest(Message))).Ciphertext);
    }

    private static byte[] Frame(byte[] payload)
    {
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, payload.Length);
        payload.CopyTo(frame, 4);
        return frame;
    }

    /// <summary>The refusal frame the module writes before closing, or null when it closed without one; then the stream must end.</summary>
    private static async Task<byte[]?> ReadUntilClosedAsync(NetworkStream stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        byte[]? answer = null;
        try
        {
            answer = await BinaryProtocol.ReadFrameAsync(stream, timeout.Token);
        }
        catch (IOException)
        {
            return null;
        }

        Assert.Equal(0, await stream.ReadAsync(new byte[1], timeout.Token));
        return answer;
    }
}
