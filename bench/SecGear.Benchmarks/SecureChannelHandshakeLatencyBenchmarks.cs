using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using SecGear.Attestation;
using SecGear.Attestation.Simulation;
using SecGear.Identity;
using SecGear.SecureChannel;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;

namespace SecGear.Benchmarks;

/// <summary>
/// The latency of one P-384 handshake that arrives at an idle server: before each handshake the server's pool of
/// pre-generated keys is full again (as it is between handshakes that are not back to back), against the same
/// handshake with the server's key generated inside it (<see cref="SecureChannelOptions.PregeneratedKeys"/> = 0). The
/// client generates its key inline, or (third case) on the thread pool while its ClientHello is processed — here on
/// the same two cores as the server, whereas a remote client's early key generation overlaps the network round trip. One handshake per iteration; run with e.g.
/// <c>--iterationCount 30</c> for enough samples.
/// </summary>
public class SecureChannelHandshakeLatencyBenchmarks
{
    private const int PoolDepth = 2;
    private static readonly EnclaveIdentity Identity = new(SHA256.HashData("bench latency"u8), SHA256.HashData("s"u8), 1, 1, false);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "secgear-bench-" + Guid.NewGuid().ToString("N"));
    private SimulatedPlatform _platform = null!;
    private AttestationVerifier _verifier = null!;
    private AttestationPolicy _policy = null!;
    private SecureChannelServer _pooled = null!;
    private SecureChannelServer _inline = null!;
    private SecureChannelOptions _pooledClient = null!;
    private SecureChannelOptions _inlineClient = null!;
    private SecureChannelOptions _earlyKeyClient = null!;

    [GlobalSetup]
    public void Setup()
    {
        var options = new SimulatedPlatformOptions { SecretPath = Path.Combine(_directory, "platform.secret") };
        _platform = new SimulatedPlatform(Identity, options);
        _verifier = new AttestationVerifier();
        _verifier.Register(new SimulationEvidenceVerifier(TrustAnchors.FromFingerprints([]).Add(SimulatedAttestationAuthority.EnsureCaCertificate(options))));
        _policy = new AttestationPolicy { AllowSimulation = true, AllowedUniqueIds = [Identity.Measurement] };
        _pooledClient = new SecureChannelOptions { Suites = [SecureChannelSuite.EcdheP384Aes256GcmSha384], PregeneratedKeys = 0 };
        _earlyKeyClient = new SecureChannelOptions { Suites = [SecureChannelSuite.EcdheP384Aes256GcmSha384], PregeneratedKeys = PoolDepth };
        _inlineClient = new SecureChannelOptions { Suites = [SecureChannelSuite.EcdheP384Aes256GcmSha384], PregeneratedKeys = 0 };
        _pooled = new SecureChannelServer(d => _platform.GetEvidence(d), _ => null, new SecureChannelOptions { Suites = _pooledClient.Suites, MaxSessions = 1_000_000, PregeneratedKeys = PoolDepth });
        _inline = new SecureChannelServer(d => _platform.GetEvidence(d), _ => null, new SecureChannelOptions { Suites = _pooledClient.Suites, MaxSessions = 1_000_000, PregeneratedKeys = 0 });
        if (Handshake_P384_idle_server_pregenerated_keys().Length != 16 || Handshake_P384_idle_server_keys_generated_inline().Length != 16)
        {
            throw new InvalidOperationException("the secure channel does not work");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pooled.Dispose();
        _inline.Dispose();
        _platform.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [IterationSetup(Targets = [nameof(Handshake_P384_idle_server_pregenerated_keys), nameof(Handshake_P384_idle_server_pregenerated_keys_client_key_early)])]
    public void RefillPool()
    {
        if (!SpinWait.SpinUntil(() => _pooled.ReadyKeys(SecureChannelSuite.EcdheP384Aes256GcmSha384) >= PoolDepth, TimeSpan.FromSeconds(10)))
        {
            throw new InvalidOperationException("the key pool did not refill within 10 s");
        }
    }

    [Benchmark]
    public byte[] Handshake_P384_idle_server_pregenerated_keys() => Handshake(_pooledClient, _pooled);

    /// <summary>Also the client's key generated on the thread pool while its ClientHello is processed (same machine here).</summary>
    [Benchmark]
    public byte[] Handshake_P384_idle_server_pregenerated_keys_client_key_early() => Handshake(_earlyKeyClient, _pooled);

    [Benchmark(Baseline = true)]
    public byte[] Handshake_P384_idle_server_keys_generated_inline() => Handshake(_inlineClient, _inline);

    private byte[] Handshake(SecureChannelOptions options, SecureChannelServer server)
    {
        using var client = new ClientHandshake(options, _verifier, _policy, null);
        var serverHello = server.Process(client.CreateHello())[0];
        var serverFinished = server.Process(client.ProcessServerHello(serverHello))[0];
        using var session = client.ProcessServerFinished(serverFinished);
        server.Process(session.SealClose());
        return session.SessionId;
    }
}
