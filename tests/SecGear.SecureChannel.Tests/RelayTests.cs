using System.Buffers.Binary;

namespace SecGear.SecureChannel.Tests;

public sealed class RelayTests : IClassFixture<SimulatedEnclaveFixture>
{
    private readonly SimulatedMachine _enclave;

    public RelayTests(SimulatedEnclaveFixture fixture)
    {
        _enclave = fixture.Enclave;
    }

    [Fact]
    public async Task Relay_refuses_a_frame_announcing_more_than_its_limit_without_calling_the_enclave()
    {
        int calls = 0;
        var relay = new SecureChannelRelay((_, _) => { calls++; return ValueTask.FromResult<IReadOnlyList<byte[]>>([]); }, maxFrameLength: 4096);
        var header = new byte[Wire.FrameHeaderLength];
        header[0] = (byte)MessageType.Record;
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(1), int.MaxValue);
        var ex = await Assert.ThrowsAsync<SecureChannelException>(() => relay.RunAsync(new MemoryStream(header)));
        Assert.Equal(SecureChannelFailureCode.FrameTooLarge, ex.Reason);
        Assert.Equal(0, calls);
    }

    [Fact]
    public async Task Relay_reports_a_stream_that_ends_inside_a_frame()
    {
        var relay = new SecureChannelRelay((_, _) => ValueTask.FromResult<IReadOnlyList<byte[]>>([]));
        var partial = new byte[] { (byte)MessageType.ClientHello, 0, 0, 0, 40, 1, 2, 3 };
        var ex = await Assert.ThrowsAsync<SecureChannelException>(() => relay.RunAsync(new MemoryStream(partial)));
        Assert.Equal(SecureChannelFailureCode.Truncated, ex.Reason);
    }

    [Fact]
    public void Server_closes_the_session_when_the_handler_reply_exceeds_the_record_limit()
    {
        using var server = new SecureChannelServer(d => _enclave.Platform.GetEvidence(d), _ => new byte[100], new SecureChannelOptions { MaxRecordPayload = 64 });
        using var client = Handshakes.Establish(server, _enclave);
        var ex = Assert.Throws<SecureChannelException>(() => server.Process(client.Seal("q"u8)));
        Assert.Equal(SecureChannelFailureCode.RecordTooLarge, ex.Reason);
        Assert.Equal(0, server.SessionCount);
    }

    [Fact]
    public async Task Client_reports_an_idle_timeout_on_receive()
    {
        var clock = new ManualTimeProvider();
        var options = new SecureChannelOptions { IdleTimeout = TimeSpan.FromSeconds(10), TimeProvider = clock };
        using var server = Handshakes.EchoServer(_enclave, options);
        await using var client = await SecureChannelClient.ConnectAsync(new ScriptedStream(server), _enclave.Verifier, SimulatedEnclaveFixture.Policy, options);
        await client.SendAsync("ping"u8.ToArray());
        Assert.Equal("echo:ping"u8.ToArray(), await client.ReceiveAsync());
        clock.Advance(TimeSpan.FromSeconds(11));
        var ex = await Assert.ThrowsAsync<SecureChannelException>(() => client.ReceiveAsync());
        Assert.Equal(SecureChannelFailureCode.IdleTimeout, ex.Reason);
        await Assert.ThrowsAsync<SecureChannelException>(() => client.SendAsync("late"u8.ToArray()));
    }

    [Fact]
    public async Task Client_close_makes_the_server_forget_the_session()
    {
        using var server = Handshakes.EchoServer(_enclave);
        await using var client = await SecureChannelClient.ConnectAsync(new ScriptedStream(server), _enclave.Verifier, SimulatedEnclaveFixture.Policy);
        Assert.Equal(1, server.SessionCount);
        await client.CloseAsync();
        Assert.Equal(0, server.SessionCount);
    }

    [Fact]
    public void Client_session_reports_the_enclaves_authenticated_close_as_end_of_messages()
    {
        using var server = Handshakes.EchoServer(_enclave);
        using var client = Handshakes.Establish(server, _enclave);
        var close = server.CloseSession(client.SessionId);
        Assert.Null(Handshakes.OpenReply(client, close));
        Assert.True(client.IsClosed);
        Assert.Equal(0, server.SessionCount);
        var ex = Assert.Throws<SecureChannelException>(() => server.CloseSession(client.SessionId));
        Assert.Equal(SecureChannelFailureCode.UnknownSession, ex.Reason);
    }
}
