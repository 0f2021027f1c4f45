using System.Buffers.Binary;

namespace SecGear.SecureChannel.Tests;

/// <summary>The server tells the client why it rejected a message; the client surfaces that reason.</summary>
public sealed class AlertTests : IClassFixture<SimulatedEnclaveFixture>
{
    private readonly SimulatedMachine _enclave;

    public AlertTests(SimulatedEnclaveFixture fixture)
    {
        _enclave = fixture.Enclave;
    }

    [Fact]
    public async Task Client_reports_the_servers_session_limit_from_a_plain_alert()
    {
        using var server = Handshakes.EchoServer(_enclave, new SecureChannelOptions { MaxSessions = 1 });
        await using var first = await SecureChannelClient.ConnectAsync(new ScriptedStream(server), _enclave.Verifier, SimulatedEnclaveFixture.Policy);
        var ex = await Assert.ThrowsAsync<SecureChannelException>(() => SecureChannelClient.ConnectAsync(new ScriptedStream(server), _enclave.Verifier, SimulatedEnclaveFixture.Policy));
        Assert.Equal(SecureChannelFailureCode.SessionLimitReached, ex.Reason);
        Assert.True(ex.IsPeerAlert);
        Assert.False(ex.IsAuthenticatedAlert);
    }

    [Fact]
    public async Task Client_reports_no_common_suite_from_the_server()
    {
        using var server = Handshakes.EchoServer(_enclave, new SecureChannelOptions { Suites = [SecureChannelSuite.EcdheP256Aes256GcmSha256] });
        var options = new SecureChannelOptions { Suites = [SecureChannelSuite.EcdheSm2Sm4GcmSm3] };
        var ex = await Assert.ThrowsAsync<SecureChannelException>(() => SecureChannelClient.ConnectAsync(new ScriptedStream(server), _enclave.Verifier, SimulatedEnclaveFixture.Policy, options));
        Assert.Equal(SecureChannelFailureCode.NoCommonSuite, ex.Reason);
        Assert.True(ex.IsPeerAlert);
    }

    [Fact]
    public async Task Client_reports_the_servers_key_confirmation_failure_when_the_host_alters_its_finished()
    {
        using var server = Handshakes.EchoServer(_enclave);
        var transport = new ScriptedStream(server, frame =>
        {
            if (frame[0] == (byte)MessageType.ClientKey)
            {
                frame[^1] ^= 1;
            }

            return frame;
        });
        var ex = await Assert.ThrowsAsync<SecureChannelException>(() => SecureChannelClient.ConnectAsync(transport, _enclave.Verifier, SimulatedEnclaveFixture.Policy));
        Assert.Equal(SecureChannelFailureCode.KeyConfirmationFailed, ex.Reason);
        Assert.True(ex.IsPeerAlert);
        Assert.False(ex.IsAuthenticatedAlert);
        Assert.Equal(0, server.SessionCount);
    }

    [Fact]
    public async Task Client_reports_a_tampered_record_from_the_servers_authenticated_alert()
    {
        using var server = Handshakes.EchoServer(_enclave);
        int records = 0;
        var transport = new ScriptedStream(server, frame =>
        {
            if (frame[0] == (byte)MessageType.Record && ++records == 2)
            {
                frame[^1] ^= 1;
            }

            return frame;
        });
        await using var client = await SecureChannelClient.ConnectAsync(transport, _enclave.Verifier, SimulatedEnclaveFixture.Policy);
        await client.SendAsync("one"u8.ToArray());
        Assert.NotNull(await client.ReceiveAsync());
        await client.SendAsync("two"u8.ToArray());
        var ex = await Assert.ThrowsAsync<SecureChannelException>(() => client.ReceiveAsync());
        Assert.Equal(SecureChannelFailureCode.AuthenticationFailed, ex.Reason);
        Assert.True(ex.IsPeerAlert);
        Assert.True(ex.IsAuthenticatedAlert);
        await Assert.ThrowsAsync<SecureChannelException>(() => client.SendAsync("three"u8.ToArray()));
    }

    [Fact]
    public async Task Client_reports_a_reply_over_the_record_limit_as_the_servers_authenticated_reason()
    {
        using var server = new SecureChannelServer(d => _enclave.Platform.GetEvidence(d), _ => new byte[100], new SecureChannelOptions { MaxRecordPayload = 64 });
        await using var client = await SecureChannelClient.ConnectAsync(new ScriptedStream(server), _enclave.Verifier, SimulatedEnclaveFixture.Policy);
        await client.SendAsync("q"u8.ToArray());
        var ex = await Assert.ThrowsAsync<SecureChannelException>(() => client.ReceiveAsync());
        Assert.Equal(SecureChannelFailureCode.RecordTooLarge, ex.Reason);
        Assert.True(ex.IsAuthenticatedAlert);
    }

    [Fact]
    public async Task Client_reports_the_servers_idle_timeout_in_an_authenticated_alert()
    {
        var clock = new ManualTimeProvider();
        var serverOptions = new SecureChannelOptions { IdleTimeout = TimeSpan.FromSeconds(10), TimeProvider = clock };
        using var server = Handshakes.EchoServer(_enclave, serverOptions);
        await using var client = await SecureChannelClient.ConnectAsync(new ScriptedStream(server), _enclave.Verifier, SimulatedEnclaveFixture.Policy);
        clock.Advance(TimeSpan.FromSeconds(11));
        await client.SendAsync("late"u8.ToArray());
        var ex = await Assert.ThrowsAsync<SecureChannelException>(() => client.ReceiveAsync());
        Assert.Equal(SecureChannelFailureCode.IdleTimeout, ex.Reason);
        Assert.True(ex.IsAuthenticatedAlert);
    }

    [Fact]
    public async Task Client_reports_a_session_the_server_forgot_as_an_advisory_unknown_session()
    {
        var clock = new ManualTimeProvider();
        using var server = Handshakes.EchoServer(_enclave, new SecureChannelOptions { IdleTimeout = TimeSpan.FromSeconds(10), TimeProvider = clock });
        await using var client = await SecureChannelClient.ConnectAsync(new ScriptedStream(server), _enclave.Verifier, SimulatedEnclaveFixture.Policy);
        clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(1, server.RemoveIdleSessions());
        await client.SendAsync("anyone there"u8.ToArray());
        var ex = await Assert.ThrowsAsync<SecureChannelException>(() => client.ReceiveAsync());
        Assert.Equal(SecureChannelFailureCode.UnknownSession, ex.Reason);
        Assert.True(ex.IsPeerAlert);
        Assert.False(ex.IsAuthenticatedAlert);
    }

    [Fact]
    public void Sealed_alert_follows_the_record_sequence_and_a_tampered_one_fails_as_a_record()
    {
        using var server = Handshakes.EchoServer(_enclave);
        using var client = Handshakes.Establish(server, _enclave);
        var bad = client.Seal("x"u8);
        bad[^1] ^= 1;
        var alert = Assert.Throws<SecureChannelException>(() => server.Process(bad)).AlertFrame.ToArray();
        Assert.Equal((byte)MessageType.Alert, alert[0]);
        Assert.Equal(Alert.Sealed, alert[Wire.FrameHeaderLength + 1]);

        var tampered = alert.ToArray();
        tampered[^1] ^= 1;
        var forged = Alert.ToException(tampered.AsSpan(Wire.FrameHeaderLength), client, client.SessionId);
        Assert.Equal(SecureChannelFailureCode.AuthenticationFailed, forged.Reason);
        Assert.False(forged.IsPeerAlert);
        Assert.True(client.IsClosed);
    }

    [Fact]
    public void Sealed_alert_opens_with_the_clients_session_and_names_the_reason()
    {
        using var server = Handshakes.EchoServer(_enclave);
        using var client = Handshakes.Establish(server, _enclave);
        Assert.NotNull(Handshakes.OpenReply(client, Handshakes.Single(server.Process(client.Seal("a"u8)))));
        var replayed = client.Seal("b"u8);
        Assert.NotNull(Handshakes.OpenReply(client, Handshakes.Single(server.Process(replayed))));
        var alert = Assert.Throws<SecureChannelException>(() => server.Process(replayed)).AlertFrame;
        var ex = Alert.ToException(alert.Span[Wire.FrameHeaderLength..], client, client.SessionId);
        Assert.Equal(SecureChannelFailureCode.Replayed, ex.Reason);
        Assert.True(ex.IsAuthenticatedAlert);
    }

    [Fact]
    public void Plain_alert_for_a_frame_naming_no_session_carries_a_zero_session_id_and_the_reason()
    {
        using var server = Handshakes.EchoServer(_enclave);
        var ex = Assert.Throws<SecureChannelException>(() => server.Process([(byte)MessageType.ServerHello, 0, 0, 0, 0]));
        var body = ex.AlertFrame.Span[Wire.FrameHeaderLength..];
        Assert.Equal(Alert.PlainBodyLength, body.Length);
        Assert.Equal([Alert.Version, Alert.Plain], body[..2].ToArray());
        Assert.False(body.Slice(2, Wire.SessionIdLength).ContainsAnyExcept((byte)0));
        Assert.Equal((ushort)SecureChannelFailureCode.UnexpectedMessage, BinaryPrimitives.ReadUInt16BigEndian(body[^2..]));
    }

    [Fact]
    public void Client_refuses_a_plain_alert_naming_another_session()
    {
        using var server = Handshakes.EchoServer(_enclave);
        using var client = Handshakes.Establish(server, _enclave);
        var alert = Alert.PlainFrame(new byte[Wire.SessionIdLength].Select((_, i) => (byte)(i + 1)).ToArray(), SecureChannelFailureCode.IdleTimeout);
        var ex = Alert.ToException(alert.AsSpan(Wire.FrameHeaderLength), client, client.SessionId);
        Assert.Equal(SecureChannelFailureCode.CrossSession, ex.Reason);
        Assert.False(ex.IsPeerAlert);
    }

    [Theory]
    [InlineData(new byte[] { 2, 0 }, SecureChannelFailureCode.UnsupportedVersion)]
    [InlineData(new byte[] { 1, 9 }, SecureChannelFailureCode.MalformedMessage)]
    [InlineData(new byte[] { 1 }, SecureChannelFailureCode.MalformedMessage)]
    public void Client_rejects_an_alert_it_cannot_read(byte[] prefix, SecureChannelFailureCode expected)
    {
        byte[] body = [.. prefix, .. new byte[Wire.SessionIdLength], 0, 5];
        if (prefix.Length == 1)
        {
            body = prefix;
        }

        var ex = Alert.ToException(body, null, []);
        Assert.Equal(expected, ex.Reason);
        Assert.False(ex.IsPeerAlert);
    }

    [Fact]
    public void Client_session_ends_on_an_alert_it_cannot_read()
    {
        using var server = Handshakes.EchoServer(_enclave);
        using var client = Handshakes.Establish(server, _enclave);
        byte[] body = [2, Alert.Plain, .. client.SessionId, 0, 5];
        var ex = Alert.ToException(body, client, client.SessionId);
        Assert.Equal(SecureChannelFailureCode.UnsupportedVersion, ex.Reason);
        Assert.True(client.IsClosed);
    }

    [Fact]
    public void Client_refuses_a_sealed_alert_during_the_handshake()
    {
        byte[] body = [Alert.Version, Alert.Sealed, .. new byte[Wire.RecordOverhead + 2]];
        var ex = Alert.ToException(body, null, []);
        Assert.Equal(SecureChannelFailureCode.UnexpectedMessage, ex.Reason);
        Assert.False(ex.IsPeerAlert);
    }

    [Fact]
    public void Client_rejects_an_alert_with_an_unknown_reason_code()
    {
        var alert = Alert.PlainFrame([], (SecureChannelFailureCode)999);
        var ex = Alert.ToException(alert.AsSpan(Wire.FrameHeaderLength), null, []);
        Assert.Equal(SecureChannelFailureCode.MalformedMessage, ex.Reason);
        Assert.False(ex.IsPeerAlert);
    }
}
