using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using SecGear.Attestation;

namespace SecGear.SecureChannel.Tests;

public sealed class TransportTests : IClassFixture<SimulatedEnclaveFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly SimulatedMachine _enclave;

    public TransportTests(SimulatedEnclaveFixture fixture)
    {
        _enclave = fixture.Enclave;
    }

    [Theory]
    [MemberData(nameof(TransportPair.Kinds), MemberType = typeof(TransportPair))]
    public async Task Relay_over_each_transport_carries_a_handshake_and_records_and_only_ever_holds_ciphertext(string kind)
    {
        await using var pair = await TransportPair.CreateAsync(kind);
        using var server = Handshakes.EchoServer(_enclave);
        var relayed = new List<byte[]>();
        var relay = new SecureChannelRelay((frame, _) =>
        {
            relayed.Add(frame.ToArray());
            var replies = server.Process(frame.Span);
            relayed.AddRange(replies);
            return ValueTask.FromResult(replies);
        });
        Task relaying = relay.RunAsync(pair.Near);

        byte[] secret = "transport secret 7f3a9c"u8.ToArray();
        await using (var client = await SecureChannelClient.ConnectAsync(pair.Far, _enclave.Verifier, SimulatedEnclaveFixture.Policy))
        {
            await client.SendAsync(secret);
            byte[]? reply = await client.ReceiveAsync().WaitAsync(Patience);
            Assert.Equal("echo:"u8.ToArray().Concat(secret), reply!);
            await client.CloseAsync();
        }

        await pair.CloseFarAsync();
        await relaying.WaitAsync(Patience);
        Assert.Equal(0, server.SessionCount);
        Assert.Equal(7, relayed.Count); // hello, server hello, client key, server finished, record, reply, close
        byte[] all = relayed.SelectMany(f => f).ToArray();
        Assert.Equal(-1, all.AsSpan().IndexOf(secret));
        Assert.Equal(-1, all.AsSpan().IndexOf("echo:"u8));
    }

    [Theory]
    [MemberData(nameof(TransportPair.Kinds), MemberType = typeof(TransportPair))]
    public async Task Relay_forwards_the_servers_alert_so_the_client_learns_why_it_was_refused(string kind)
    {
        await using var pair = await TransportPair.CreateAsync(kind);
        using var server = Handshakes.EchoServer(_enclave, new SecureChannelOptions { Suites = [SecureChannelSuite.EcdheP256Aes256GcmSha256] });
        var relay = new SecureChannelRelay((frame, _) => ValueTask.FromResult(server.Process(frame.Span)));
        Task relaying = relay.RunAsync(pair.Near);

        var clientOptions = new SecureChannelOptions { Suites = [SecureChannelSuite.EcdheSm2Sm4GcmSm3] };
        var ex = await Assert.ThrowsAsync<SecureChannelException>(
            () => SecureChannelClient.ConnectAsync(pair.Far, _enclave.Verifier, SimulatedEnclaveFixture.Policy, clientOptions).WaitAsync(Patience));

        Assert.Equal(SecureChannelFailureCode.NoCommonSuite, ex.Reason);
        Assert.True(ex.IsPeerAlert);
        var relayFailure = await Assert.ThrowsAsync<SecureChannelException>(() => relaying.WaitAsync(Patience));
        Assert.Equal(SecureChannelFailureCode.NoCommonSuite, relayFailure.Reason);
    }

    [Theory]
    [MemberData(nameof(TransportPair.Kinds), MemberType = typeof(TransportPair))]
    public async Task A_frame_arriving_one_byte_at_a_time_is_read_whole(string kind)
    {
        await using var pair = await TransportPair.CreateAsync(kind);
        byte[] frame = Frame(MessageType.Record, 300, seed: 1);
        Task<byte[]?> read = pair.Near.ReadFrameAsync(4096).AsTask();
        foreach (byte b in frame)
        {
            await pair.Far.SendAsync(new[] { b });
        }

        Assert.Equal(frame, await read.WaitAsync(Patience));
    }

    [Theory]
    [MemberData(nameof(TransportPair.Kinds), MemberType = typeof(TransportPair))]
    public async Task Frames_sent_in_one_write_and_split_across_writes_are_read_one_by_one(string kind)
    {
        await using var pair = await TransportPair.CreateAsync(kind);
        byte[] first = Frame(MessageType.ClientHello, 40, seed: 2), second = Frame(MessageType.Record, 0, seed: 3), third = Frame(MessageType.Record, 2000, seed: 4);
        byte[] all = [.. first, .. second, .. third];
        await pair.Far.SendAsync(all.AsMemory(0, first.Length + 3));
        await pair.Far.SendAsync(all.AsMemory(first.Length + 3));
        await pair.CloseFarAsync();

        Assert.Equal(first, await pair.Near.ReadFrameAsync(4096).AsTask().WaitAsync(Patience));
        Assert.Equal(second, await pair.Near.ReadFrameAsync(4096).AsTask().WaitAsync(Patience));
        Assert.Equal(third, await pair.Near.ReadFrameAsync(4096).AsTask().WaitAsync(Patience));
        Assert.Null(await pair.Near.ReadFrameAsync(4096).AsTask().WaitAsync(Patience));
    }

    [Theory]
    [MemberData(nameof(TransportPair.Kinds), MemberType = typeof(TransportPair))]
    public async Task Many_frames_cut_at_random_points_come_out_whole_and_in_order(string kind)
    {
        await using var pair = await TransportPair.CreateAsync(kind);
        var random = new Random(42);
        var frames = Enumerable.Range(0, 200).Select(i => Frame(MessageType.Record, random.Next(0, i % 10 == 0 ? 20000 : 300), seed: 100 + i)).ToList();
        byte[] all = frames.SelectMany(f => f).ToArray();
        Task sending = Task.Run(async () =>
        {
            for (int offset = 0; offset < all.Length;)
            {
                int count = Math.Min(random.Next(1, 3000), all.Length - offset);
                await pair.Far.SendAsync(all.AsMemory(offset, count));
                offset += count;
            }

            await pair.CloseFarAsync();
        });

        foreach (byte[] expected in frames)
        {
            Assert.Equal(expected, await pair.Near.ReadFrameAsync(32 * 1024).AsTask().WaitAsync(Patience));
        }

        Assert.Null(await pair.Near.ReadFrameAsync(32 * 1024).AsTask().WaitAsync(Patience));
        await sending.WaitAsync(Patience);
    }

    [Theory]
    [MemberData(nameof(TransportPair.Kinds), MemberType = typeof(TransportPair))]
    public async Task Relay_fed_random_bytes_ends_with_a_typed_error_or_a_clean_end_and_never_hangs(string kind)
    {
        using var server = Handshakes.EchoServer(_enclave);
        var random = new Random(7);
        for (int i = 0; i < 30; i++)
        {
            await using var pair = await TransportPair.CreateAsync(kind);
            var relay = new SecureChannelRelay((frame, _) => ValueTask.FromResult(server.Process(frame.Span)), maxFrameLength: 4096);
            Task relaying = relay.RunAsync(pair.Near);
            byte[] garbage = new byte[random.Next(1, 600)];
            random.NextBytes(garbage);
            if (i % 2 == 0)
            {
                // Half the inputs start with a plausible header, so they reach the enclave's parsers.
                garbage[0] = (byte)random.Next(1, 7);
                BinaryPrimitives.WriteInt32BigEndian(garbage.AsSpan(1), Math.Max(0, garbage.Length - Wire.FrameHeaderLength - random.Next(0, 2)));
            }

            await pair.Far.SendAsync(garbage);
            await pair.CloseFarAsync();
            try
            {
                await relaying.WaitAsync(Patience);
            }
            catch (SecureChannelException)
            {
                // A typed refusal is one of the two allowed outcomes.
            }
        }
    }

    [Theory]
    [MemberData(nameof(TransportPair.Kinds), MemberType = typeof(TransportPair))]
    public async Task An_oversized_frame_is_refused_from_its_header_without_waiting_for_its_body(string kind)
    {
        await using var pair = await TransportPair.CreateAsync(kind);
        byte[] header = new byte[Wire.FrameHeaderLength];
        header[0] = (byte)MessageType.Record;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), uint.MaxValue);

        // The peer stays connected and never sends the body: a reader that allocated or waited for it would hang here.
        await pair.Far.SendAsync(header);
        var ex = await Assert.ThrowsAsync<SecureChannelException>(() => pair.Near.ReadFrameAsync(64 * 1024).AsTask().WaitAsync(Patience));
        Assert.Equal(SecureChannelFailureCode.FrameTooLarge, ex.Reason);
        Assert.Contains("4294967295", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TransportPair.Kinds), MemberType = typeof(TransportPair))]
    public async Task A_frame_one_byte_over_the_limit_is_refused_and_one_at_the_limit_is_read(string kind)
    {
        await using var pair = await TransportPair.CreateAsync(kind);
        await pair.Far.SendAsync(Frame(MessageType.Record, 1024, seed: 5));
        Assert.Equal(1024 + Wire.FrameHeaderLength, (await pair.Near.ReadFrameAsync(1024).AsTask().WaitAsync(Patience))!.Length);

        await pair.Far.SendAsync(Frame(MessageType.Record, 1025, seed: 6));
        var ex = await Assert.ThrowsAsync<SecureChannelException>(() => pair.Near.ReadFrameAsync(1024).AsTask().WaitAsync(Patience));
        Assert.Equal(SecureChannelFailureCode.FrameTooLarge, ex.Reason);
    }

    [Theory]
    [MemberData(nameof(TransportPair.Kinds), MemberType = typeof(TransportPair))]
    public async Task A_peer_closing_inside_a_frame_body_is_reported_as_truncated(string kind)
    {
        await using var pair = await TransportPair.CreateAsync(kind);
        await pair.Far.SendAsync(Frame(MessageType.Record, 100, seed: 7).AsMemory(0, 60));
        await pair.CloseFarAsync();

        var ex = await Assert.ThrowsAsync<SecureChannelException>(() => pair.Near.ReadFrameAsync(4096).AsTask().WaitAsync(Patience));
        Assert.Equal(SecureChannelFailureCode.Truncated, ex.Reason);
        Assert.Contains("55 of 100", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TransportPair.Kinds), MemberType = typeof(TransportPair))]
    public async Task A_peer_closing_inside_a_frame_header_is_reported_as_truncated(string kind)
    {
        await using var pair = await TransportPair.CreateAsync(kind);
        await pair.Far.SendAsync(new byte[] { (byte)MessageType.Record, 0, 0 });
        await pair.CloseFarAsync();

        var ex = await Assert.ThrowsAsync<SecureChannelException>(() => pair.Near.ReadFrameAsync(4096).AsTask().WaitAsync(Patience));
        Assert.Equal(SecureChannelFailureCode.Truncated, ex.Reason);
        Assert.Contains("3 of 5", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TransportPair.Kinds), MemberType = typeof(TransportPair))]
    public async Task A_peer_closing_between_frames_ends_the_relay_cleanly(string kind)
    {
        await using var pair = await TransportPair.CreateAsync(kind);
        int calls = 0;
        var relay = new SecureChannelRelay((_, _) => { calls++; return ValueTask.FromResult<IReadOnlyList<byte[]>>([]); });
        Task relaying = relay.RunAsync(pair.Near);
        await pair.Far.SendAsync(Frame(MessageType.Record, 10, seed: 8));
        await pair.CloseFarAsync();

        await relaying.WaitAsync(Patience);
        Assert.Equal(1, calls);
    }

    [Theory]
    [MemberData(nameof(TransportPair.Kinds), MemberType = typeof(TransportPair))]
    public async Task Cancelling_stops_a_relay_that_waits_for_the_rest_of_a_frame(string kind)
    {
        await using var pair = await TransportPair.CreateAsync(kind);
        var relay = new SecureChannelRelay((_, _) => ValueTask.FromResult<IReadOnlyList<byte[]>>([]));
        using var cancel = new CancellationTokenSource();
        Task relaying = relay.RunAsync(pair.Near, cancel.Token);
        await pair.Far.SendAsync(Frame(MessageType.Record, 100, seed: 9).AsMemory(0, 20));
        await Task.Delay(50);
        Assert.False(relaying.IsCompleted);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => relaying.WaitAsync(Patience));
    }

    [Fact]
    public async Task Relay_over_a_pipe_pair_leaves_the_pipes_to_the_caller()
    {
        var toRelay = new Pipe();
        var fromRelay = new Pipe();
        var relay = new SecureChannelRelay((frame, _) => ValueTask.FromResult<IReadOnlyList<byte[]>>([frame.ToArray()]));
        Task relaying = relay.RunAsync(toRelay.Reader, fromRelay.Writer);
        byte[] frame = Frame(MessageType.Record, 33, seed: 10);
        await toRelay.Writer.WriteAsync(frame);
        await toRelay.Writer.CompleteAsync();
        await relaying.WaitAsync(Patience);

        // The relay did not complete the writer: the caller can still write to it.
        await fromRelay.Writer.WriteAsync(new byte[] { 0xEE });
        await fromRelay.Writer.CompleteAsync();
        var read = await fromRelay.Reader.ReadAsync();
        Assert.Equal([.. frame, 0xEE], read.Buffer.ToArray());
    }

    [Fact]
    public async Task Pipe_transport_reports_a_peer_that_stopped_reading_as_truncated()
    {
        var toFar = new Pipe();
        await using var near = new PipeTransport(new Pipe().Reader, toFar.Writer);
        await toFar.Reader.CompleteAsync();
        var ex = await Assert.ThrowsAsync<SecureChannelException>(() => near.SendAsync(new byte[10]).AsTask());
        Assert.Equal(SecureChannelFailureCode.Truncated, ex.Reason);
    }

    [Fact]
    public async Task Callback_transport_holds_back_a_sender_that_runs_more_than_its_buffer_ahead_of_the_reader()
    {
        await using var transport = new CallbackTransport((_, _) => ValueTask.CompletedTask, maxBufferedBytes: 8 * 1024);
        byte[] frames = [.. Frame(MessageType.Record, 3000, seed: 11), .. Frame(MessageType.Record, 3000, seed: 12), .. Frame(MessageType.Record, 3000, seed: 13)];
        Task delivery = transport.DeliverAsync(frames).AsTask();
        await Task.Delay(50);
        Assert.False(delivery.IsCompleted);

        Assert.NotNull(await transport.ReadFrameAsync(4096));
        Assert.NotNull(await transport.ReadFrameAsync(4096));
        await delivery.WaitAsync(Patience);
        Assert.NotNull(await transport.ReadFrameAsync(4096));
    }

    [Fact]
    public async Task Callback_transport_refuses_a_frame_limit_its_buffer_cannot_hold_whole()
    {
        await using var transport = new CallbackTransport((_, _) => ValueTask.CompletedTask, maxBufferedBytes: 8 * 1024);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => transport.ReadFrameAsync(8 * 1024).AsTask());
        Assert.Throws<ArgumentOutOfRangeException>(() => new CallbackTransport((_, _) => ValueTask.CompletedTask, maxBufferedBytes: 100));
    }

    [Fact]
    public async Task Callback_transport_refuses_deliveries_after_it_is_disposed()
    {
        var transport = new CallbackTransport((_, _) => ValueTask.CompletedTask);
        await transport.DisposeAsync();
        var ex = await Assert.ThrowsAsync<SecureChannelException>(() => transport.DeliverAsync(new byte[10]).AsTask());
        Assert.Equal(SecureChannelFailureCode.SessionClosed, ex.Reason);
    }

    [Fact]
    public async Task Callback_transport_passes_send_failures_to_the_relay()
    {
        var transport = new CallbackTransport((_, _) => ValueTask.FromException(new IOException("link down")));
        var relay = new SecureChannelRelay((frame, _) => ValueTask.FromResult<IReadOnlyList<byte[]>>([frame.ToArray()]));
        Task relaying = relay.RunAsync(transport);
        await transport.DeliverAsync(Frame(MessageType.Record, 10, seed: 14));
        var ex = await Assert.ThrowsAsync<IOException>(() => relaying.WaitAsync(Patience));
        Assert.Equal("link down", ex.Message);
    }

    [Fact]
    public async Task Client_over_a_callback_transport_refuses_an_enclave_with_another_measurement()
    {
        await using var pair = await TransportPair.CreateAsync(TransportPair.Callback);
        using var server = Handshakes.EchoServer(_enclave);
        var relay = new SecureChannelRelay((frame, _) => ValueTask.FromResult(server.Process(frame.Span)));
        Task relaying = relay.RunAsync(pair.Near);
        var policy = new AttestationPolicy { AllowSimulation = true, AllowedUniqueIds = [new byte[32]] };

        var ex = await Assert.ThrowsAsync<SecureChannelException>(() => SecureChannelClient.ConnectAsync(pair.Far.AsStream(), _enclave.Verifier, policy).WaitAsync(Patience));
        Assert.Equal(SecureChannelFailureCode.AttestationFailed, ex.Reason);
        Assert.Equal(AttestationFailureCode.PolicyUniqueIdNotAllowed, ex.AttestationFailure!.Code);
        await pair.CloseFarAsync();
        await relaying.WaitAsync(Patience);
    }

    private static byte[] Frame(MessageType type, int bodyLength, int seed)
    {
        var frame = new byte[Wire.FrameHeaderLength + bodyLength];
        frame[0] = (byte)type;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), bodyLength);
        new Random(seed).NextBytes(frame.AsSpan(Wire.FrameHeaderLength));
        return frame;
    }
}
