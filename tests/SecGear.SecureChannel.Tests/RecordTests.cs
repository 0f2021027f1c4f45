using System.Buffers.Binary;

namespace SecGear.SecureChannel.Tests;

public sealed class RecordTests : IClassFixture<SimulatedEnclaveFixture>
{
    private readonly SimulatedMachine _enclave;

    public RecordTests(SimulatedEnclaveFixture fixture)
    {
        _enclave = fixture.Enclave;
    }

    [Fact]
    public void Server_rejects_a_replayed_record_and_closes_the_session()
    {
        using var server = Handshakes.EchoServer(_enclave);
        using var client = Handshakes.Establish(server, _enclave);
        var record = client.Seal("pay 10"u8);
        Assert.Single(server.Process(record));
        AssertRejected(server, record, SecureChannelFailureCode.Replayed);
        AssertRejected(server, client.Seal("after"u8), SecureChannelFailureCode.UnknownSession);
    }

    [Fact]
    public void Server_rejects_reordered_records()
    {
        using var server = Handshakes.EchoServer(_enclave);
        using var client = Handshakes.Establish(server, _enclave);
        client.Seal("first"u8);
        var second = client.Seal("second"u8);
        AssertRejected(server, second, SecureChannelFailureCode.Reordered);
    }

    [Fact]
    public void Server_rejects_a_record_shorter_than_its_header_and_tag()
    {
        using var server = Handshakes.EchoServer(_enclave);
        using var client = Handshakes.Establish(server, _enclave);
        var record = client.Seal([]);
        var cut = record[..^1];
        BinaryPrimitives.WriteInt32BigEndian(cut.AsSpan(1), cut.Length - Wire.FrameHeaderLength);
        AssertRejected(server, cut, SecureChannelFailureCode.Truncated);
    }

    [Fact]
    public void Server_rejects_a_record_whose_ciphertext_lost_its_last_byte()
    {
        using var server = Handshakes.EchoServer(_enclave);
        using var client = Handshakes.Establish(server, _enclave);
        var record = client.Seal("a longer message"u8);
        var cut = record[..^1];
        BinaryPrimitives.WriteInt32BigEndian(cut.AsSpan(1), cut.Length - Wire.FrameHeaderLength);
        AssertRejected(server, cut, SecureChannelFailureCode.AuthenticationFailed);
    }

    [Fact]
    public void Server_rejects_a_frame_whose_length_disagrees_with_its_bytes()
    {
        using var server = Handshakes.EchoServer(_enclave);
        using var client = Handshakes.Establish(server, _enclave);
        var record = client.Seal("x"u8);
        AssertRejected(server, record[..^1], SecureChannelFailureCode.MalformedMessage);
    }

    [Theory]
    [InlineData(0, 0x03, SecureChannelFailureCode.AuthenticationFailed)]
    [InlineData(Wire.FrameHeaderLength, 0x01, SecureChannelFailureCode.UnknownSession)]
    [InlineData(Wire.FrameHeaderLength + Wire.SessionIdLength + 3, 0x01, SecureChannelFailureCode.AuthenticationFailed)]
    [InlineData(Wire.FrameHeaderLength + Wire.SessionIdLength + 2, 0x01, SecureChannelFailureCode.UnexpectedEpoch)]
    [InlineData(Wire.FrameHeaderLength + Wire.SessionIdLength + 6, 0x01, SecureChannelFailureCode.Reordered)]
    [InlineData(Wire.FrameHeaderLength + Wire.RecordHeaderLength, 0x01, SecureChannelFailureCode.AuthenticationFailed)]
    [InlineData(-1, 0x80, SecureChannelFailureCode.AuthenticationFailed)]
    public void Server_rejects_a_record_with_a_bit_flipped(int offset, int mask, SecureChannelFailureCode expected)
    {
        using var server = Handshakes.EchoServer(_enclave, new SecureChannelOptions { RekeyAfterRecords = 1 });
        using var client = Handshakes.Establish(server, _enclave);
        var record = client.Seal("transfer 100 to alice"u8);
        int index = offset < 0 ? record.Length + offset : offset;
        record[index] ^= (byte)mask;
        AssertRejected(server, record, expected);
    }

    [Fact]
    public void Server_rejects_a_record_moved_to_another_session()
    {
        using var server = Handshakes.EchoServer(_enclave);
        using var alice = Handshakes.Establish(server, _enclave);
        using var bob = Handshakes.Establish(server, _enclave);
        var record = alice.Seal("from alice"u8);
        bob.SessionId.CopyTo(record, Wire.FrameHeaderLength);
        AssertRejected(server, record, SecureChannelFailureCode.AuthenticationFailed);
        Assert.Equal(1, server.SessionCount);
    }

    [Fact]
    public void Client_rejects_a_reply_from_another_session()
    {
        using var server = Handshakes.EchoServer(_enclave);
        using var alice = Handshakes.Establish(server, _enclave);
        using var bob = Handshakes.Establish(server, _enclave);
        var replyToBob = Handshakes.Single(server.Process(bob.Seal("hi"u8)));
        var ex = Assert.Throws<SecureChannelException>(() => Handshakes.OpenReply(alice, replyToBob));
        Assert.Equal(SecureChannelFailureCode.CrossSession, ex.Reason);
        Assert.True(alice.IsClosed);
    }

    [Fact]
    public void Client_rejects_a_replayed_reply()
    {
        using var server = Handshakes.EchoServer(_enclave);
        using var client = Handshakes.Establish(server, _enclave);
        var reply = Handshakes.Single(server.Process(client.Seal("one"u8)));
        Assert.Equal("echo:one"u8.ToArray(), Handshakes.OpenReply(client, reply));
        var ex = Assert.Throws<SecureChannelException>(() => Handshakes.OpenReply(client, reply));
        Assert.Equal(SecureChannelFailureCode.Replayed, ex.Reason);
    }

    [Fact]
    public void Server_refuses_a_record_before_the_handshake_finished()
    {
        using var server = Handshakes.EchoServer(_enclave);
        using var client = new ClientHandshake(new SecureChannelOptions(), _enclave.Verifier, SimulatedEnclaveFixture.Policy, null);
        var serverHello = Handshakes.Single(server.Process(client.CreateHello()));
        var sessionId = serverHello.AsSpan(Wire.FrameHeaderLength + 4, Wire.SessionIdLength).ToArray();
        var fake = Wire.Frame(MessageType.Record, [.. sessionId, .. new byte[Wire.RecordOverhead - Wire.SessionIdLength + 4]]);
        AssertRejected(server, fake, SecureChannelFailureCode.UnexpectedMessage);
        Assert.Equal(0, server.SessionCount);
    }

    [Fact]
    public void Both_directions_rekey_after_the_configured_record_count_and_keep_working()
    {
        var options = new SecureChannelOptions { RekeyAfterRecords = 2 };
        using var server = Handshakes.EchoServer(_enclave, options);
        using var client = Handshakes.Establish(server, _enclave, options);
        for (int i = 0; i < 7; i++)
        {
            var message = BitConverter.GetBytes(i);
            var reply = Handshakes.OpenReply(client, Handshakes.Single(server.Process(client.Seal(message))));
            Assert.Equal([.. "echo:"u8, .. message], Assert.IsType<byte[]>(reply));
        }

        Assert.Equal(3u, client.SendEpoch);
        Assert.Equal(3u, client.ReceiveEpoch);
    }

    [Fact]
    public void Rekey_after_bytes_moves_to_the_next_epoch()
    {
        var options = new SecureChannelOptions { RekeyAfterBytes = 100 };
        using var server = Handshakes.EchoServer(_enclave, options);
        using var client = Handshakes.Establish(server, _enclave, options);
        Assert.Single(server.Process(client.Seal(new byte[100])));
        Assert.Single(server.Process(client.Seal(new byte[1])));
        Assert.Equal(1u, client.SendEpoch);
    }

    [Fact]
    public void Server_rejects_a_record_that_skips_an_epoch()
    {
        var options = new SecureChannelOptions { RekeyAfterRecords = 1 };
        using var server = Handshakes.EchoServer(_enclave, options);
        using var client = Handshakes.Establish(server, _enclave, options);
        var record = client.Seal("x"u8);
        BinaryPrimitives.WriteUInt32BigEndian(record.AsSpan(Wire.FrameHeaderLength + Wire.SessionIdLength), 2);
        AssertRejected(server, record, SecureChannelFailureCode.UnexpectedEpoch);
    }

    [Fact]
    public void Server_closes_a_session_idle_beyond_the_timeout()
    {
        var clock = new ManualTimeProvider();
        var options = new SecureChannelOptions { IdleTimeout = TimeSpan.FromSeconds(30), TimeProvider = clock };
        using var server = Handshakes.EchoServer(_enclave, options);
        using var client = Handshakes.Establish(server, _enclave, options);
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Single(server.Process(client.Seal("still here"u8)));
        clock.Advance(TimeSpan.FromSeconds(31));
        AssertRejected(server, client.Seal("too late"u8), SecureChannelFailureCode.IdleTimeout);
        Assert.Equal(0, server.SessionCount);
    }

    [Fact]
    public void Idle_sessions_are_removed_and_free_their_slot()
    {
        var clock = new ManualTimeProvider();
        var options = new SecureChannelOptions { IdleTimeout = TimeSpan.FromSeconds(30), TimeProvider = clock, MaxSessions = 1 };
        using var server = Handshakes.EchoServer(_enclave, options);
        using var stale = Handshakes.Establish(server, _enclave, options);
        clock.Advance(TimeSpan.FromMinutes(1));
        using var fresh = Handshakes.Establish(server, _enclave, options);
        Assert.Equal(1, server.SessionCount);
        Assert.Equal(0, server.RemoveIdleSessions());
    }

    [Fact]
    public void Half_open_handshakes_expire_after_the_handshake_timeout_and_free_their_slot()
    {
        var clock = new ManualTimeProvider();
        var options = new SecureChannelOptions { HandshakeTimeout = TimeSpan.FromSeconds(5), TimeProvider = clock, MaxSessions = 1 };
        using var server = Handshakes.EchoServer(_enclave, options);
        using var stalled = new ClientHandshake(new SecureChannelOptions(), _enclave.Verifier, SimulatedEnclaveFixture.Policy, null);
        var serverHello = Handshakes.Single(server.Process(stalled.CreateHello()));
        Assert.Equal(SecureChannelFailureCode.SessionLimitReached, Assert.Throws<SecureChannelException>(() => Handshakes.Establish(server, _enclave, options)).Reason);
        clock.Advance(TimeSpan.FromSeconds(6));
        var clientKey = stalled.ProcessServerHello(serverHello);
        Assert.Equal(SecureChannelFailureCode.IdleTimeout, Assert.Throws<SecureChannelException>(() => server.Process(clientKey)).Reason);
        using var fresh = Handshakes.Establish(server, _enclave, options);
        Assert.Equal(1, server.SessionCount);
    }

    [Fact]
    public void Server_rejects_a_record_above_the_payload_limit()
    {
        var small = new SecureChannelOptions { MaxRecordPayload = 16 };
        using var server = Handshakes.EchoServer(_enclave, small);
        using var client = Handshakes.Establish(server, _enclave);
        AssertRejected(server, client.Seal(new byte[17]), SecureChannelFailureCode.RecordTooLarge);
    }

    [Fact]
    public void Server_rejects_a_frame_announcing_more_than_the_limit()
    {
        using var server = Handshakes.EchoServer(_enclave, new SecureChannelOptions { MaxFrameLength = 2048, MaxRecordPayload = 1024 });
        var frame = new byte[Wire.FrameHeaderLength + 2049];
        frame[0] = (byte)MessageType.Record;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), 2049);
        AssertRejected(server, frame, SecureChannelFailureCode.FrameTooLarge);
    }

    [Fact]
    public void Sending_after_close_fails_with_session_closed()
    {
        using var server = Handshakes.EchoServer(_enclave);
        using var client = Handshakes.Establish(server, _enclave);
        Assert.Empty(server.Process(client.SealClose()));
        var ex = Assert.Throws<SecureChannelException>(() => client.Seal("late"u8));
        Assert.Equal(SecureChannelFailureCode.SessionClosed, ex.Reason);
        Assert.Equal(0, server.SessionCount);
    }

    [Fact]
    public async Task Client_reports_truncation_when_the_transport_ends_without_a_close()
    {
        using var server = Handshakes.EchoServer(_enclave);
        var transport = new ScriptedStream(server);
        await using var client = await SecureChannelClient.ConnectAsync(transport, _enclave.Verifier, SimulatedEnclaveFixture.Policy);
        var ex = await Assert.ThrowsAsync<SecureChannelException>(() => client.ReceiveAsync());
        Assert.Equal(SecureChannelFailureCode.Truncated, ex.Reason);
    }

    private static void AssertRejected(SecureChannelServer server, byte[] frame, SecureChannelFailureCode expected)
    {
        var ex = Assert.Throws<SecureChannelException>(() => server.Process(frame));
        Assert.Equal(expected, ex.Reason);
    }
}
