using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using SecGear.Attestation;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;

namespace SecGear.SecureChannel.Tests;

public sealed class HandshakeTests : IClassFixture<SimulatedEnclaveFixture>
{
    private readonly SimulatedMachine _enclave;

    public HandshakeTests(SimulatedEnclaveFixture fixture)
    {
        _enclave = fixture.Enclave;
    }

    [Theory]
    [InlineData(SecureChannelSuite.EcdheP256Aes256GcmSha256)]
    [InlineData(SecureChannelSuite.EcdheP384Aes256GcmSha384)]
    [InlineData(SecureChannelSuite.EcdheSm2Sm4GcmSm3)]
    public async Task Client_talks_to_the_enclave_through_a_tcp_relay_that_never_sees_plaintext(SecureChannelSuite suite)
    {
        var options = new SecureChannelOptions { Suites = [suite] };
        using var server = Handshakes.EchoServer(_enclave, options);
        var relayed = new List<byte[]>();
        var relay = new SecureChannelRelay((frame, _) =>
        {
            lock (relayed)
            {
                relayed.Add(frame.ToArray());
                var replies = server.Process(frame.Span);
                relayed.AddRange(replies);
                return ValueTask.FromResult(replies);
            }
        });
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        var serving = relay.ServeTcpAsync(listener, cancellationToken: stop.Token);
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
            await using var client = await SecureChannelClient.ConnectAsync(tcp.GetStream(), _enclave.Verifier, SimulatedEnclaveFixture.Policy, options);

            var secret = "the launch code is 0451-7731-2209"u8.ToArray();
            await client.SendAsync(secret);
            var reply = await client.ReceiveAsync();

            Assert.Equal([.. "echo:"u8, .. secret], Assert.IsType<byte[]>(reply));
            Assert.Equal(suite, client.Suite);
            Assert.Equal(SimulatedEnclaveFixture.Identity.Measurement, client.PeerClaims.UniqueId.ToArray());
            Assert.True(client.PeerClaims.Simulated);
            await client.CloseAsync();
            lock (relayed)
            {
                Assert.True(relayed.Count >= 5);
                Assert.DoesNotContain(relayed, frame => frame.AsSpan().IndexOf(secret.AsSpan(0, 12)) >= 0);
                Assert.DoesNotContain(relayed, frame => frame.AsSpan().IndexOf("echo:"u8) >= 0);
            }
        }
        finally
        {
            await stop.CancelAsync();
            listener.Stop();
            await serving;
        }
    }

    [Theory]
    [InlineData(SecureChannelSuite.EcdheP384Aes256GcmSha384, 2)]
    [InlineData(SecureChannelSuite.EcdheSm2Sm4GcmSm3, 3)]
    [InlineData(SecureChannelSuite.EcdheP256Aes256GcmSha256, 0)]
    public void Pre_generated_ephemeral_keys_are_never_used_twice(SecureChannelSuite suite, int pregenerated)
    {
        var options = new SecureChannelOptions { Suites = [suite], PregeneratedKeys = pregenerated, MaxSessions = 100 };
        using var server = Handshakes.EchoServer(_enclave, options);
        var serverKeys = new HashSet<string>();
        var clientKeys = new HashSet<string>();
        for (int i = 0; i < 12; i++)
        {
            using var client = new ClientHandshake(options, _enclave.Verifier, SimulatedEnclaveFixture.Policy, null);
            var serverHello = Handshakes.Single(server.Process(client.CreateHello()));
            var clientKey = client.ProcessServerHello(serverHello);
            using var session = client.ProcessServerFinished(Handshakes.Single(server.Process(clientKey)));
            int keyLength = SuiteInfo.For(suite).PublicKeyLength;
            Assert.True(serverKeys.Add(Convert.ToHexString(serverHello, Wire.FrameHeaderLength + 2 + 2 + Wire.SessionIdLength + 2, keyLength)));
            Assert.True(clientKeys.Add(Convert.ToHexString(clientKey, Wire.FrameHeaderLength + Wire.SessionIdLength + 2, keyLength)));
        }
    }

    [Fact]
    public void Options_refuse_a_negative_key_pool()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Handshakes.EchoServer(_enclave, new SecureChannelOptions { PregeneratedKeys = -1 }));
    }

    [Fact]
    public void Server_picks_its_most_preferred_suite_among_those_offered()
    {
        using var server = Handshakes.EchoServer(_enclave, new SecureChannelOptions { Suites = [SecureChannelSuite.EcdheP384Aes256GcmSha384, SecureChannelSuite.EcdheP256Aes256GcmSha256] });
        using var session = Handshakes.Establish(server, _enclave);
        Assert.Equal(SecureChannelSuite.EcdheP384Aes256GcmSha384, session.Suite);
    }

    [Fact]
    public void Handshake_fails_when_no_suite_is_shared()
    {
        using var server = Handshakes.EchoServer(_enclave, new SecureChannelOptions { Suites = [SecureChannelSuite.EcdheP384Aes256GcmSha384] });
        var ex = Assert.Throws<SecureChannelException>(() => Handshakes.Establish(server, _enclave, new SecureChannelOptions { Suites = [SecureChannelSuite.EcdheP256Aes256GcmSha256] }));
        Assert.Equal(SecureChannelFailureCode.NoCommonSuite, ex.Reason);
    }

    [Fact]
    public void Handshake_fails_when_the_measurement_is_not_the_expected_one()
    {
        using var server = Handshakes.EchoServer(_enclave);
        var policy = new AttestationPolicy { AllowSimulation = true, AllowedUniqueIds = [SHA256.HashData("another enclave"u8)] };
        AssertAttestationFailure(AttestationFailureCode.PolicyUniqueIdNotAllowed, () => Handshakes.Establish(server, _enclave, policy: policy));
        Assert.Equal(1, server.SessionCount);
    }

    [Fact]
    public void Handshake_fails_when_simulated_evidence_is_not_allowed()
    {
        using var server = Handshakes.EchoServer(_enclave);
        var policy = new AttestationPolicy { AllowedUniqueIds = [SimulatedEnclaveFixture.Identity.Measurement] };
        AssertAttestationFailure(AttestationFailureCode.PolicySimulationNotAllowed, () => Handshakes.Establish(server, _enclave, policy: policy));
    }

    [Fact]
    public void Handshake_fails_when_the_enclave_runs_in_debug_mode()
    {
        var debugPlatform = _enclave.NewPlatform(SimulatedEnclaveFixture.Identity with { Debug = true });
        using var server = new SecureChannelServer(data => debugPlatform.GetEvidence(data), _ => null);
        AssertAttestationFailure(AttestationFailureCode.PolicyDebugNotAllowed, () => Handshakes.Establish(server, _enclave));
    }

    [Theory]
    [InlineData(SecureChannelSuite.EcdheP256Aes256GcmSha256, 1)]
    [InlineData(SecureChannelSuite.EcdheSm2Sm4GcmSm3, 1)]
    [InlineData(SecureChannelSuite.EcdheP256Aes256GcmSha256, -1)]
    public async Task Handshake_fails_naming_the_expiry_when_the_evidence_chain_is_outside_its_validity_at_verification_time(SecureChannelSuite suite, int side)
    {
        // The client verifies at a pinned time a day after the simulated CA's notAfter (or a day before its notBefore).
        var clock = new ManualTimeProvider();
        var pinned = side > 0 ? SimulatedAttestationAuthority.NotAfter.AddDays(1) : SimulatedAttestationAuthority.NotBefore.AddDays(-1);
        clock.Advance(pinned - clock.GetUtcNow());
        using var server = Handshakes.EchoServer(_enclave, new SecureChannelOptions { Suites = [suite] });
        var options = new SecureChannelOptions { Suites = [suite], TimeProvider = clock };

        var ex = await Assert.ThrowsAsync<SecureChannelException>(() => SecureChannelClient.ConnectAsync(new ScriptedStream(server), _enclave.Verifier, SimulatedEnclaveFixture.Policy, options));

        Assert.Equal(SecureChannelFailureCode.AttestationFailed, ex.Reason);
        Assert.Equal(AttestationFailureCode.RootCertificateExpired, ex.AttestationFailure?.Code);
        Assert.Contains(pinned.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Handshake_fails_when_the_evidence_is_not_bound_to_this_handshake()
    {
        // A host replaying evidence made for other report data, e.g. from an earlier handshake.
        var stale = _enclave.Platform.GetEvidence(SHA256.HashData("an earlier handshake"u8));
        using var server = new SecureChannelServer(_ => stale, _ => null);
        AssertAttestationFailure(AttestationFailureCode.PolicyReportDataMismatch, () => Handshakes.Establish(server, _enclave));
    }

    [Fact]
    public void Client_detects_a_host_that_swaps_the_enclave_key_for_its_own()
    {
        using var server = Handshakes.EchoServer(_enclave, new SecureChannelOptions { Suites = [SecureChannelSuite.EcdheP256Aes256GcmSha256] });
        using var client = new ClientHandshake(new SecureChannelOptions(), _enclave.Verifier, SimulatedEnclaveFixture.Policy, null);
        var serverHello = Handshakes.Single(server.Process(client.CreateHello()));
        using var attacker = SuiteInfo.P256.CreateEphemeral();
        var attackerKey = attacker.PublicKey;
        attackerKey.CopyTo(serverHello, Wire.FrameHeaderLength + 2 + 2 + Wire.SessionIdLength + 2);
        var ex = Assert.Throws<SecureChannelException>(() => client.ProcessServerHello(serverHello));
        Assert.Equal(AttestationFailureCode.PolicyReportDataMismatch, ex.AttestationFailure?.Code);
    }

    [Fact]
    public void Client_detects_a_host_that_replays_a_server_hello_from_another_handshake()
    {
        using var server = Handshakes.EchoServer(_enclave);
        using var earlier = new ClientHandshake(new SecureChannelOptions(), _enclave.Verifier, SimulatedEnclaveFixture.Policy, null);
        var recorded = Handshakes.Single(server.Process(earlier.CreateHello()));
        using var victim = new ClientHandshake(new SecureChannelOptions(), _enclave.Verifier, SimulatedEnclaveFixture.Policy, null);
        victim.CreateHello();
        var ex = Assert.Throws<SecureChannelException>(() => victim.ProcessServerHello(recorded));
        Assert.Equal(AttestationFailureCode.PolicyReportDataMismatch, ex.AttestationFailure?.Code);
    }

    [Fact]
    public async Task Client_refuses_a_policy_that_sets_its_own_report_data()
    {
        var policy = new AttestationPolicy { AllowSimulation = true, ExpectedReportData = new byte[32] };
        await Assert.ThrowsAsync<ArgumentException>(() => SecureChannelClient.ConnectAsync(new MemoryStream(), _enclave.Verifier, policy));
    }

    [Fact]
    public void Server_reports_a_failing_evidence_provider_without_its_message()
    {
        using var server = new SecureChannelServer(_ => throw new InvalidOperationException("platform secret at /secret/path"), _ => null);
        using var client = new ClientHandshake(new SecureChannelOptions(), _enclave.Verifier, SimulatedEnclaveFixture.Policy, null);
        var ex = Assert.Throws<SecureChannelException>(() => server.Process(client.CreateHello()));
        Assert.Equal(SecureChannelFailureCode.EvidenceUnavailable, ex.Reason);
        Assert.DoesNotContain("/secret/path", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.SessionCount);
    }

    [Fact]
    public void Server_rejects_a_client_finished_that_does_not_match()
    {
        using var server = Handshakes.EchoServer(_enclave);
        using var client = new ClientHandshake(new SecureChannelOptions(), _enclave.Verifier, SimulatedEnclaveFixture.Policy, null);
        var serverHello = Handshakes.Single(server.Process(client.CreateHello()));
        var clientKey = client.ProcessServerHello(serverHello);
        clientKey[^1] ^= 0x01;
        var ex = Assert.Throws<SecureChannelException>(() => server.Process(clientKey));
        Assert.Equal(SecureChannelFailureCode.KeyConfirmationFailed, ex.Reason);
        Assert.Equal(0, server.SessionCount);
    }

    [Fact]
    public void Client_rejects_a_server_finished_that_does_not_match()
    {
        using var server = Handshakes.EchoServer(_enclave);
        using var client = new ClientHandshake(new SecureChannelOptions(), _enclave.Verifier, SimulatedEnclaveFixture.Policy, null);
        var serverHello = Handshakes.Single(server.Process(client.CreateHello()));
        var serverFinished = Handshakes.Single(server.Process(client.ProcessServerHello(serverHello)));
        serverFinished[^1] ^= 0x80;
        var ex = Assert.Throws<SecureChannelException>(() => client.ProcessServerFinished(serverFinished));
        Assert.Equal(SecureChannelFailureCode.KeyConfirmationFailed, ex.Reason);
    }

    [Fact]
    public void Server_rejects_a_client_key_that_is_not_on_the_curve()
    {
        using var server = Handshakes.EchoServer(_enclave, new SecureChannelOptions { Suites = [SecureChannelSuite.EcdheP256Aes256GcmSha256] });
        using var client = new ClientHandshake(new SecureChannelOptions(), _enclave.Verifier, SimulatedEnclaveFixture.Policy, null);
        var serverHello = Handshakes.Single(server.Process(client.CreateHello()));
        var clientKey = client.ProcessServerHello(serverHello);
        // The point's Y coordinate is the last 32 bytes before the 32-byte Finished: change it so the point leaves the curve.
        clientKey[^33] ^= 0x01;
        var ex = Assert.Throws<SecureChannelException>(() => server.Process(clientKey));
        Assert.Equal(SecureChannelFailureCode.InvalidPublicKey, ex.Reason);
    }

    [Fact]
    public void Server_refuses_a_session_beyond_its_limit_and_accepts_again_once_one_closes()
    {
        using var server = Handshakes.EchoServer(_enclave, new SecureChannelOptions { MaxSessions = 2 });
        using var first = Handshakes.Establish(server, _enclave);
        using var second = Handshakes.Establish(server, _enclave);
        var ex = Assert.Throws<SecureChannelException>(() => Handshakes.Establish(server, _enclave));
        Assert.Equal(SecureChannelFailureCode.SessionLimitReached, ex.Reason);
        Assert.Empty(server.Process(first.SealClose()));
        using var third = Handshakes.Establish(server, _enclave);
        Assert.Equal(2, server.SessionCount);
    }

    [Fact]
    public void Server_refuses_an_unsupported_version()
    {
        using var server = Handshakes.EchoServer(_enclave);
        using var client = new ClientHandshake(new SecureChannelOptions(), _enclave.Verifier, SimulatedEnclaveFixture.Policy, null);
        var hello = client.CreateHello();
        hello[Wire.FrameHeaderLength + 1] = 2;
        var ex = Assert.Throws<SecureChannelException>(() => server.Process(hello));
        Assert.Equal(SecureChannelFailureCode.UnsupportedVersion, ex.Reason);
    }

    private static void AssertAttestationFailure(AttestationFailureCode expected, Action handshake)
    {
        var ex = Assert.Throws<SecureChannelException>(handshake);
        Assert.Equal(SecureChannelFailureCode.AttestationFailed, ex.Reason);
        Assert.Equal(EnclaveStatus.AttestationFailed, ex.Status);
        Assert.Equal(expected, ex.AttestationFailure?.Code);
    }
}
