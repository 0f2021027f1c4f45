using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using SecGear.Attestation;

namespace SecGear.RaTls.Tests;

/// <summary>
/// TLS 1.3 between a plain SslStream client with <see cref="RaTlsValidator"/> and an enclave-side SslStream that a host
/// pump feeds through <see cref="RelayedTlsSession.Process"/>, the call an ECALL makes. The pump here runs in the test
/// process (the real enclave boundary is exercised by samples/SecureChannel and its run test).
/// </summary>
public sealed class RelayedTlsSessionTests(EnclaveMachineFixture fixture) : IClassFixture<EnclaveMachineFixture>
{
    private SimulatedMachine Machine => fixture.Machine;

    [Fact]
    public async Task Plain_client_with_RaTlsValidator_completes_TLS_13_with_a_relayed_enclave_side_SslStream_and_the_relay_sees_no_secret()
    {
        using var certificate = RaTlsCertificate.Create(Machine.Evidence);
        using var session = new RelayedTlsSession(ServerOptions(certificate), tls => AnswerOneRequestAsync(tls, _ => { }));
        using var timeout = new CancellationTokenSource(Handshake.Timeout);
        var (client, relay) = await Loopback.ConnectAsync(timeout.Token);
        var pump = new Pump(session, relay, chunk: 256);
        Task pumping = pump.RunAsync(timeout.Token);

        RaTlsValidationResult? validation = null;
        byte[] secret = "relayed tls secret 5d1e"u8.ToArray();
        await using var tls = new SslStream(client);
        await tls.AuthenticateAsClientAsync(ClientOptions(new RaTlsValidator(Machine.Verifier, Machine.Policy), r => validation = r), timeout.Token);
        byte[] reply = await RequestAsync(tls, secret, timeout.Token);
        await pumping.WaitAsync(timeout.Token);

        Assert.Equal(SslProtocols.Tls13, tls.SslProtocol);
        Assert.True(validation!.Succeeded);
        Assert.Equal(Machine.Identity.Measurement, validation.Claims!.UniqueId.ToArray());
        Assert.Equal([.. "ack:"u8, .. secret], reply);
        Assert.True(session.IsCompleted);
        Assert.Null(session.Fault);
        Assert.True(pump.Pieces > pump.Calls, $"output larger than the {pump.Chunk}-byte destination must come out over several calls");
        byte[] seen = pump.Seen.ToArray();
        Assert.True(seen.Length > 1000);
        Assert.Equal(-1, seen.AsSpan().IndexOf(secret));
        Assert.Equal(-1, seen.AsSpan().IndexOf("ack:"u8));
    }

    [Fact]
    public async Task The_application_runs_on_the_thread_of_the_call_that_delivered_its_bytes()
    {
        using var certificate = RaTlsCertificate.Create(Machine.Evidence);
        int serveThread = -1;
        using var session = new RelayedTlsSession(ServerOptions(certificate), tls => AnswerOneRequestAsync(tls, _ => serveThread = Environment.CurrentManagedThreadId));
        using var timeout = new CancellationTokenSource(Handshake.Timeout);
        var (client, relay) = await Loopback.ConnectAsync(timeout.Token);
        var pump = new Pump(session, relay, chunk: 64 * 1024);
        Task pumping = pump.RunAsync(timeout.Token);

        await using var tls = new SslStream(client);
        await tls.AuthenticateAsClientAsync(ClientOptions(new RaTlsValidator(Machine.Verifier, Machine.Policy), _ => { }), timeout.Token);
        await RequestAsync(tls, "x"u8.ToArray(), timeout.Token);
        await pumping.WaitAsync(timeout.Token);

        // An enclave runtime allows OCALLs only on the thread of the ECALL in progress: the handler must run there.
        Assert.Contains(serveThread, pump.ProcessThreads);
    }

    [Fact]
    public async Task An_application_that_awaits_something_besides_the_stream_is_waited_for_and_still_answers()
    {
        using var certificate = RaTlsCertificate.Create(Machine.Evidence);
        using var session = new RelayedTlsSession(ServerOptions(certificate), async tls =>
        {
            byte[] header = new byte[4];
            await tls.ReadExactlyAsync(header);
            byte[] request = new byte[BinaryPrimitives.ReadInt32BigEndian(header)];
            await tls.ReadExactlyAsync(request);
            await Task.Delay(100); // leaves the delivering thread: Process must wait for the answer
            BinaryPrimitives.WriteInt32BigEndian(header, request.Length + 4);
            await tls.WriteAsync(header);
            await tls.WriteAsync("ack:"u8.ToArray().Concat(request).ToArray());
            await tls.ShutdownAsync();
        });
        using var timeout = new CancellationTokenSource(Handshake.Timeout);
        var (client, relay) = await Loopback.ConnectAsync(timeout.Token);
        Task pumping = new Pump(session, relay, chunk: 64 * 1024).RunAsync(timeout.Token);

        await using var tls = new SslStream(client);
        await tls.AuthenticateAsClientAsync(ClientOptions(new RaTlsValidator(Machine.Verifier, Machine.Policy), _ => { }), timeout.Token);
        byte[] reply = await RequestAsync(tls, "late"u8.ToArray(), timeout.Token);
        await pumping.WaitAsync(timeout.Token);

        Assert.Equal("ack:late"u8.ToArray(), reply);
        Assert.True(session.IsCompleted);
        Assert.Null(session.Fault);
    }

    [Fact]
    public async Task Client_pinning_another_measurement_aborts_and_the_enclave_side_session_ends_with_a_fault_and_no_request()
    {
        using var certificate = RaTlsCertificate.Create(Machine.Evidence);
        bool served = false;
        using var session = new RelayedTlsSession(ServerOptions(certificate), tls => AnswerOneRequestAsync(tls, _ => served = true));
        using var timeout = new CancellationTokenSource(Handshake.Timeout);
        var (client, relay) = await Loopback.ConnectAsync(timeout.Token);
        var pump = new Pump(session, relay, chunk: 4096);
        Task pumping = pump.RunAsync(timeout.Token);
        var policy = new AttestationPolicy { AllowSimulation = true, AllowedUniqueIds = [new byte[32]] };
        RaTlsValidationResult? validation = null;

        var tls = new SslStream(client);
        await Assert.ThrowsAsync<AuthenticationException>(() => tls.AuthenticateAsClientAsync(ClientOptions(new RaTlsValidator(Machine.Verifier, policy), r => validation = r), timeout.Token));
        await tls.DisposeAsync();
        await pumping.WaitAsync(timeout.Token);

        Assert.Equal(RaTlsFailureCode.PolicyRejected, validation!.Failure!.Code);
        Assert.Equal(AttestationFailureCode.PolicyUniqueIdNotAllowed, validation.Failure.Attestation!.Code);
        // A .NET client judges the certificate after the TLS 1.3 handshake, so the server's handshake may have finished;
        // either way the client sends no request and the enclave side ends with an error, never with a request served.
        Assert.True(session.IsCompleted);
        Assert.NotNull(session.Fault);
        Assert.False(served);
    }

    [Fact]
    public void A_client_that_closes_inside_the_handshake_ends_the_session_without_hanging()
    {
        using var certificate = RaTlsCertificate.Create(Machine.Evidence);
        using var session = new RelayedTlsSession(ServerOptions(certificate), _ => Task.CompletedTask);
        Span<byte> output = stackalloc byte[1024];

        Assert.Equal(0, session.Process([0x16, 0x03, 0x01], output));
        Assert.False(session.IsCompleted);
        session.CompleteReceiving();

        Assert.True(session.IsCompleted);
        Assert.NotNull(session.Fault);
    }

    [Fact]
    public void Bytes_beyond_the_unread_limit_are_refused()
    {
        using var certificate = RaTlsCertificate.Create(Machine.Evidence);
        using var session = new RelayedTlsSession(ServerOptions(certificate), _ => Task.CompletedTask, maxBufferedBytes: 16 * 1024);

        var ex = Assert.Throws<SecGearException>(() => session.Process(new byte[(16 * 1024) + 1], new byte[1024]));
        Assert.Equal(EnclaveStatus.PayloadTooLarge, ex.Status);
    }

    private static SslServerAuthenticationOptions ServerOptions(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate) =>
        new() { ServerCertificate = certificate, EnabledSslProtocols = SslProtocols.Tls13 };

    private static SslClientAuthenticationOptions ClientOptions(RaTlsValidator validator, Action<RaTlsValidationResult> observe) => new()
    {
        TargetHost = "localhost",
        EnabledSslProtocols = SslProtocols.Tls13,
        RemoteCertificateValidationCallback = validator.CreateCallback(observe),
    };

    /// <summary>The enclave application: one length-prefixed request, answered with "ack:" + the request, then a TLS close.</summary>
    private static async Task AnswerOneRequestAsync(SslStream tls, Action<byte[]> onRequest)
    {
        byte[] header = new byte[4];
        await tls.ReadExactlyAsync(header);
        byte[] request = new byte[BinaryPrimitives.ReadInt32BigEndian(header)];
        await tls.ReadExactlyAsync(request);
        onRequest(request);
        byte[] reply = [.. "ack:"u8, .. request];
        BinaryPrimitives.WriteInt32BigEndian(header, reply.Length);
        await tls.WriteAsync(header);
        await tls.WriteAsync(reply);
        await tls.ShutdownAsync();
    }

    private static async Task<byte[]> RequestAsync(SslStream tls, byte[] request, CancellationToken cancellationToken)
    {
        byte[] header = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(header, request.Length);
        await tls.WriteAsync(header, cancellationToken);
        await tls.WriteAsync(request, cancellationToken);
        await tls.ReadExactlyAsync(header, cancellationToken);
        byte[] reply = new byte[BinaryPrimitives.ReadInt32BigEndian(header)];
        await tls.ReadExactlyAsync(reply, cancellationToken);
        return reply;
    }

    /// <summary>The host's part: reads TCP, calls Process (where an ECALL would be), writes what comes back; records every byte.</summary>
    private sealed class Pump(RelayedTlsSession session, NetworkStream socket, int chunk)
    {
        public MemoryStream Seen { get; } = new();

        public List<int> ProcessThreads { get; } = [];

        public int Chunk => chunk;

        public int Calls { get; private set; }

        public int Pieces { get; private set; }

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            var received = new byte[16 * 1024];
            var toSend = new byte[chunk];
            try
            {
                while (!session.IsCompleted)
                {
                    int read = await socket.ReadAsync(received, cancellationToken);
                    Seen.Write(received, 0, read);
                    if (read == 0)
                    {
                        session.CompleteReceiving();
                    }

                    Calls++;
                    int produced = Process(received.AsSpan(0, read), toSend);
                    while (produced > 0)
                    {
                        Pieces++;
                        Seen.Write(toSend, 0, produced);
                        await socket.WriteAsync(toSend.AsMemory(0, produced), cancellationToken);
                        produced = produced == toSend.Length ? Process([], toSend) : 0;
                    }

                    if (read == 0)
                    {
                        break;
                    }
                }
            }
            catch (IOException)
            {
                // The client reset the connection: the session has nothing more to send.
                session.CompleteReceiving();
            }
            finally
            {
                socket.Dispose();
            }
        }

        private int Process(ReadOnlySpan<byte> received, Span<byte> destination)
        {
            ProcessThreads.Add(Environment.CurrentManagedThreadId);
            return session.Process(received, destination);
        }
    }
}
