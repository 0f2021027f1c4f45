using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using SecGear.CryptoModule.Binary;
using SecGear.CryptoModule.Client;

namespace SecGear.CryptoModule.Tests;

/// <summary>
/// Protocol version 2: batches pipelined on one connection are answered under their request ids, batches of several
/// connections merge into one enclave call, version 1 is refused typed, a client that leaves with batches in flight
/// does not disturb the module, and a client meeting an answer it did not ask for fails its calls typed.
/// </summary>
public sealed class BinaryPipeliningTests(ModuleFixture fixture) : IClassFixture<ModuleFixture>
{
    private static readonly byte[] Message = "pipelined"u8.ToArray();

    [Fact]
    public async Task Batches_pipelined_on_one_connection_are_each_answered_under_their_own_request_id()
    {
        var aes = await fixture.Tenant.CreateKeyAsync(KeySpec.Aes256, KeyUsage.Encrypt);
        await using var stream = await ConnectAsync();
        uint[] ids = [7, 8, 9, 4000000000];
        foreach (uint id in ids)
        {
            // Every batch is written before any answer is read.
            var operations = Enumerable.Range(0, (int)(id % 5) + 1).Select(i => new BinaryOperation(EnclaveOp.Encrypt, aes.Id) { Data = Message }).ToList();
            await stream.WriteAsync(BinaryProtocol.EncodeBatch(id, operations));
        }

        var answered = new List<uint>();
        for (int i = 0; i < ids.Length; i++)
        {
            byte[] payload = (await BinaryProtocol.ReadFrameAsync(stream, CancellationToken.None))!;
            Assert.True(BinaryProtocol.TryPeekResults(payload, out uint id, out int count));
            var results = new List<BinaryResult>();
            Assert.True(BinaryProtocol.TryDecodeResults(payload, id, (int)(id % 5) + 1, results, out string? error), error);
            Assert.Equal((int)(id % 5) + 1, count);
            foreach (var result in results)
            {
                Assert.True(result.Ok);
                var plain = await fixture.Tenant.DecryptAsync(aes.Id, new DecryptRequest(result.First.ToArray(), Iv: result.Second.ToArray()));
                Assert.Equal(Message, plain.Plaintext);
            }

            answered.Add(id);
        }

        Assert.Equal(ids.Order(), answered.Order());
    }

    [Fact]
    public async Task Many_callers_on_several_channels_each_get_their_own_answer()
    {
        var aes = await fixture.Tenant.CreateKeyAsync(KeySpec.Aes256, KeyUsage.Encrypt);
        var ec = await fixture.Tenant.CreateKeyAsync(KeySpec.EcP256, KeyUsage.Sign);
        await using var first = await fixture.Tenant.OpenChannelAsync(connections: 1);
        await using var second = await fixture.Tenant.OpenChannelAsync(connections: 2);
        var calls = Enumerable.Range(0, 48).Select(async caller =>
        {
            var channel = caller % 2 == 0 ? first : second;
            for (int i = 0; i < 8; i++)
            {
                byte[] plaintext = Encoding.UTF8.GetBytes($"{caller}/{i}");
                var sealedData = await channel.EncryptAsync(aes.Id, new EncryptRequest(plaintext));
                Assert.Equal(plaintext, (await channel.DecryptAsync(aes.Id, new DecryptRequest(sealedData.Ciphertext, Iv: sealedData.Iv))).Plaintext);
                var signature = await channel.SignAsync(ec.Id, new SignRequest(plaintext));
                Assert.True((await channel.VerifyAsync(ec.Id, new VerifyRequest(plaintext, signature.Signature))).Valid);
            }
        });
        await Task.WhenAll(calls);

        // Every use is in the audit trail (which the audit route flushes first), identical uses counted together.
        var audit = (await fixture.Tenant.GetAuditAsync(1000)).Entries;
        Assert.Equal(48 * 8, audit.Where(e => e.KeyId == aes.Id && e.Operation == "encrypt" && e.Outcome == "ok").Sum(e => e.Uses));
        Assert.Equal(48 * 8, audit.Where(e => e.KeyId == ec.Id && e.Operation == "sign" && e.Outcome == "ok").Sum(e => e.Uses));
    }

    [Fact]
    public async Task A_hello_of_protocol_version_1_is_refused_with_a_typed_error()
    {
        int port = await PortAsync();
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, port);
        await using var stream = new NetworkStream(socket);
        byte[] hello = BinaryProtocol.EncodeHello(fixture.Credential);
        hello[5] = 1;
        await stream.WriteAsync(hello);

        var results = new List<BinaryResult>();
        Assert.True(BinaryProtocol.TryDecodeResults((await BinaryProtocol.ReadFrameAsync(stream, CancellationToken.None))!, BinaryProtocol.ConnectionId, 1, results, out _));
        Assert.Equal(CryptoModuleErrorCodes.MalformedRequest, results[0].Code);
        Assert.Contains("version 1", results[0].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_that_disconnects_with_batches_in_flight_does_not_disturb_the_module()
    {
        var aes = await fixture.Tenant.CreateKeyAsync(KeySpec.Aes256, KeyUsage.Encrypt);
        for (int round = 0; round < 3; round++)
        {
            var stream = await ConnectAsync();
            var operations = Enumerable.Range(0, 64).Select(_ => new BinaryOperation(EnclaveOp.Encrypt, aes.Id) { Data = new byte[4096] }).ToList();
            for (uint id = 1; id <= 16; id++)
            {
                await stream.WriteAsync(BinaryProtocol.EncodeBatch(id, operations));
            }

            // Reset, not a clean close: the module's answers meet a dead socket.
            stream.Socket.LingerState = new LingerOption(true, 0);
            await stream.DisposeAsync();
        }

        await using var channel = await fixture.Tenant.OpenChannelAsync(connections: 1);
        Assert.NotEmpty((await channel.EncryptAsync(aes.Id, new EncryptRequest(Message))).Ciphertext);
    }

    [Theory]
    [InlineData("unknown-id")]
    [InlineData("wrong-count")]
    [InlineData("closed")]
    public async Task A_module_answer_that_names_no_batch_in_flight_fails_the_calls_as_unreachable_and_the_next_call_reconnects(string fault)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var module = Task.Run(async () =>
        {
            // A fake module: answers the hello, then the first batch wrongly; the second connection answers properly.
            for (int connection = 0; connection < 2; connection++)
            {
                using var socket = await listener.AcceptSocketAsync();
                await using var stream = new NetworkStream(socket);
                await BinaryProtocol.ReadFrameAsync(stream, CancellationToken.None);
                await stream.WriteAsync(BinaryProtocol.EncodeResults(BinaryProtocol.ConnectionId, [new BinaryResult()]));
                byte[] batch = (await BinaryProtocol.ReadFrameAsync(stream, CancellationToken.None))!;
                uint id = BinaryPrimitives.ReadUInt32LittleEndian(batch.AsSpan(1));
                BinaryResult ok = new() { Version = 1, First = Message };
                if (connection == 1)
                {
                    await stream.WriteAsync(BinaryProtocol.EncodeResults(id, [ok]));
                    await UntilClosedAsync(stream);
                    return;
                }

                if (fault != "closed")
                {
                    await stream.WriteAsync(fault == "unknown-id" ? BinaryProtocol.EncodeResults(id + 1, [ok]) : BinaryProtocol.EncodeResults(id, [ok, ok]));
                    await UntilClosedAsync(stream);
                }
            }
        });

        using var http = new HttpClient(new TransportsOnly(port)) { BaseAddress = new Uri("http://127.0.0.1/") };
        await using var channel = await new CryptoModuleClient(http, "any-credential").OpenChannelAsync(connections: 1);
        var error = await Assert.ThrowsAsync<CryptoModuleException>(() => channel.MacAsync("k", new MacRequest(Message)));
        Assert.Equal(CryptoModuleClient.Unreachable, error.Code);

        Assert.Equal(Message, (await channel.MacAsync("k", new MacRequest(Message))).Mac);
        await channel.DisposeAsync();
        await module.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Waits until the client closes or resets the connection.</summary>
    private static async Task UntilClosedAsync(NetworkStream stream)
    {
        try
        {
            while (await BinaryProtocol.ReadFrameAsync(stream, CancellationToken.None) is not null)
            {
            }
        }
        catch (IOException)
        {
            // Reset by the client.
        }
    }

    private async Task<int> PortAsync() =>
        (await fixture.Http.GetFromJsonAsync("v1/transports", CryptoModuleJson.Default.BinaryEndpointInfo))!.BinaryPort!.Value;

    /// <summary>An authenticated raw connection.</summary>
    private async Task<NetworkStream> ConnectAsync()
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, await PortAsync());
        var stream = new NetworkStream(socket, ownsSocket: true);
        await stream.WriteAsync(BinaryProtocol.EncodeHello(fixture.Credential));
        var results = new List<BinaryResult>();
        Assert.True(BinaryProtocol.TryDecodeResults((await BinaryProtocol.ReadFrameAsync(stream, CancellationToken.None))!, BinaryProtocol.ConnectionId, 1, results, out _));
        Assert.True(results[0].Ok);
        return stream;
    }

    /// <summary>Answers only the transports route, pointing the channel at a fake module.</summary>
    private sealed class TransportsOnly(int port) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = JsonContent.Create(new BinaryEndpointInfo(port), CryptoModuleJson.Default.BinaryEndpointInfo),
            });
    }
}
