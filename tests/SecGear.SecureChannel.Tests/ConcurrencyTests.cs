
namespace SecGear.SecureChannel.Tests;

/// <summary>Sessions are independent: no server-wide lock, and the session limit stays exact under racing handshakes.</summary>
public sealed class ConcurrencyTests : IClassFixture<SimulatedEnclaveFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly SimulatedMachine _enclave;

    public ConcurrencyTests(SimulatedEnclaveFixture fixture)
    {
        _enclave = fixture.Enclave;
    }

    [Fact]
    public async Task Sixty_four_parallel_handshakes_against_a_limit_of_sixteen_give_exactly_sixteen_sessions()
    {
        using var server = Handshakes.EchoServer(_enclave, new SecureChannelOptions { MaxSessions = 16 });
        using var start = new ManualResetEventSlim();
        var attempts = Enumerable.Range(0, 64).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            try
            {
                return (Client: await SecureChannelClient.ConnectAsync(new ScriptedStream(server), _enclave.Verifier, SimulatedEnclaveFixture.Policy), Failure: (SecureChannelException?)null);
            }
            catch (SecureChannelException ex)
            {
                return (Client: (SecureChannelClient?)null, Failure: ex);
            }
        })).ToArray();
        start.Set();
        var results = await Task.WhenAll(attempts);

        Assert.Equal(16, results.Count(r => r.Client is not null));
        Assert.All(results.Where(r => r.Failure is not null), r =>
        {
            Assert.Equal(SecureChannelFailureCode.SessionLimitReached, r.Failure!.Reason);
            Assert.True(r.Failure.IsPeerAlert);
        });
        Assert.Equal(16, server.SessionCount);
        foreach (var (client, _) in results)
        {
            if (client is not null)
            {
                await client.SendAsync("still here"u8.ToArray());
                Assert.NotNull(await client.ReceiveAsync());
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public void Records_of_different_sessions_are_processed_in_parallel()
    {
        // Each handler call waits until a handler of another session is running too: a server-wide lock would make
        // every wait time out.
        using var together = new Barrier(2);
        int met = 0;
        using var server = new SecureChannelServer(
            d => _enclave.Platform.GetEvidence(d),
            request =>
            {
                if (together.SignalAndWait(Patience))
                {
                    Interlocked.Increment(ref met);
                }

                return request.ToArray();
            });
        using var a = Handshakes.Establish(server, _enclave);
        using var b = Handshakes.Establish(server, _enclave);
        Parallel.Invoke(
            () => Exchange(server, a, 20),
            () => Exchange(server, b, 20));
        Assert.Equal(40, met);
    }

    [Fact]
    public void Handshakes_run_their_evidence_generation_in_parallel()
    {
        using var together = new Barrier(2);
        int met = 0;
        using var server = new SecureChannelServer(
            d =>
            {
                if (together.SignalAndWait(Patience))
                {
                    Interlocked.Increment(ref met);
                }

                return _enclave.Platform.GetEvidence(d);
            },
            _ => null);
        var sessions = new ChannelSession[2];
        Parallel.For(0, 2, i => sessions[i] = Handshakes.Establish(server, _enclave));
        Assert.Equal(2, met);
        Assert.Equal(2, server.SessionCount);
        Assert.NotEqual(sessions[0].SessionId, sessions[1].SessionId);
        foreach (var session in sessions)
        {
            session.Dispose();
        }
    }

    [Fact]
    public void Many_sessions_exchange_records_concurrently_without_losing_order()
    {
        using var server = Handshakes.EchoServer(_enclave, new SecureChannelOptions { RekeyAfterRecords = 7 });
        var clients = Enumerable.Range(0, 8).Select(_ => Handshakes.Establish(server, _enclave, new SecureChannelOptions { RekeyAfterRecords = 7 })).ToArray();
        Parallel.ForEach(clients, client => Exchange(server, client, 50));
        Assert.All(clients, c => Assert.Equal(50u / 7, c.SendEpoch));
        Parallel.ForEach(clients, client => Assert.Empty(server.Process(client.SealClose())));
        Assert.Equal(0, server.SessionCount);
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    [Fact]
    public void Closing_and_removing_idle_sessions_while_records_flow_keeps_the_count_consistent()
    {
        var clock = new ManualTimeProvider();
        var options = new SecureChannelOptions { MaxSessions = 4, IdleTimeout = TimeSpan.FromSeconds(5), TimeProvider = clock };
        using var server = Handshakes.EchoServer(_enclave, options);
        for (int round = 0; round < 5; round++)
        {
            var clients = Enumerable.Range(0, 4).Select(_ => Handshakes.Establish(server, _enclave, options)).ToArray();
            clock.Advance(TimeSpan.FromSeconds(6));
            Parallel.Invoke(
                () => server.RemoveIdleSessions(),
                () => Parallel.ForEach(clients, c => Record.Exception(() => server.Process(c.Seal("x"u8)))));
            Assert.Equal(0, server.SessionCount);
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        // Every slot came back: the limit still admits exactly MaxSessions.
        var again = Enumerable.Range(0, 4).Select(_ => Handshakes.Establish(server, _enclave, options)).ToArray();
        var ex = Assert.Throws<SecureChannelException>(() => Handshakes.Establish(server, _enclave, options));
        Assert.Equal(SecureChannelFailureCode.SessionLimitReached, ex.Reason);
        foreach (var client in again)
        {
            client.Dispose();
        }
    }

    [Fact]
    public async Task Handshakes_records_closes_and_sweeps_racing_leave_no_session_behind()
    {
        using var server = Handshakes.EchoServer(_enclave, new SecureChannelOptions { MaxSessions = 64 });
        using var stop = new CancellationTokenSource();
        var sweeper = Task.Factory.StartNew(
            () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    Assert.Equal(0, server.RemoveIdleSessions());
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        var workers = Enumerable.Range(0, 6).Select(worker => Task.Run(() =>
        {
            for (int round = 0; round < 8; round++)
            {
                using var client = Handshakes.Establish(server, _enclave);
                Exchange(server, client, 5);
                if ((worker + round) % 2 == 0)
                {
                    Assert.Empty(server.Process(client.SealClose()));
                }
                else
                {
                    Assert.Null(Handshakes.OpenReply(client, server.CloseSession(client.SessionId)));
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        await stop.CancelAsync();
        await sweeper;
        Assert.Equal(0, server.SessionCount);
    }

    private static void Exchange(SecureChannelServer server, ChannelSession client, int count)
    {
        for (int i = 0; i < count; i++)
        {
            var message = BitConverter.GetBytes(i);
            var reply = Handshakes.OpenReply(client, Handshakes.Single(server.Process(client.Seal(message))));
            Assert.Equal(message, Assert.IsType<byte[]>(reply)[^message.Length..]);
        }
    }
}
