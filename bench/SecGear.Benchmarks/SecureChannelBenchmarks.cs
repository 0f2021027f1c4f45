using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;
using SecGear.Attestation;
using SecGear.Attestation.Simulation;
using SecGear.Identity;
using SecGear.SecureChannel;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;

namespace SecGear.Benchmarks;

/// <summary>
/// The attested secure channel: a full handshake per suite (ClientHello to ServerFinished, including simulated evidence
/// generation in the enclave and its verification by the client; no transport), and one 64 KiB record sealed by one
/// side and opened by the other against raw <see cref="AesGcm"/> encrypt + decrypt of the same data (the baseline);
/// the same for the SM suite's SM4-GCM records against raw BouncyCastle <see cref="GcmBlockCipher"/> over
/// <see cref="SM4Engine"/> on the same data in the same run.
/// </summary>
[MemoryDiagnoser]
public class SecureChannelBenchmarks
{
    private const int RecordSize = 64 * 1024;
    private static readonly EnclaveIdentity Identity = new(SHA256.HashData("bench channel"u8), SHA256.HashData("s"u8), 1, 1, false);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "secgear-bench-" + Guid.NewGuid().ToString("N"));
    private readonly byte[] _data = new byte[RecordSize];
    private readonly byte[] _ciphertext = new byte[RecordSize];
    private readonly byte[] _decrypted = new byte[RecordSize];
    private readonly byte[] _tag = new byte[16];
    private readonly byte[] _sealedSm4 = new byte[RecordSize + 16];
    private readonly byte[] _nonce = new byte[12];
    private SimulatedPlatform _platform = null!;
    private AttestationVerifier _verifier = null!;
    private AttestationPolicy _policy = null!;
    private SecureChannelServer _server = null!;
    private SecureChannelServer _inlineKeyServer = null!;
    private SecureChannelOptions _p384Inline = null!;
    private SecureChannelOptions _p256 = null!;
    private SecureChannelOptions _p384 = null!;
    private SecureChannelOptions _sm = null!;
    private ChannelSession _sender = null!;
    private ChannelSession _receiver = null!;
    private ChannelSession _smSender = null!;
    private ChannelSession _smReceiver = null!;
    private AesGcm _raw = null!;
    private GcmBlockCipher _rawSm4 = null!;
    private KeyParameter _rawSm4Key = null!;
    private ulong _rawSm4Counter;

    [GlobalSetup]
    public void Setup()
    {
        var options = new SimulatedPlatformOptions { SecretPath = Path.Combine(_directory, "platform.secret") };
        _platform = new SimulatedPlatform(Identity, options);
        _verifier = new AttestationVerifier();
        _verifier.Register(new SimulationEvidenceVerifier(TrustAnchors.FromFingerprints([]).Add(SimulatedAttestationAuthority.EnsureCaCertificate(options))));
        _policy = new AttestationPolicy { AllowSimulation = true, AllowedUniqueIds = [Identity.Measurement] };
        _p256 = new SecureChannelOptions { Suites = [SecureChannelSuite.EcdheP256Aes256GcmSha256] };
        _p384 = new SecureChannelOptions { Suites = [SecureChannelSuite.EcdheP384Aes256GcmSha384] };
        _sm = new SecureChannelOptions { Suites = [SecureChannelSuite.EcdheSm2Sm4GcmSm3] };
        _server = new SecureChannelServer(reportData => _platform.GetEvidence(reportData), _ => null, new SecureChannelOptions
        {
            MaxSessions = 1_000_000,
            Suites = [SecureChannelSuite.EcdheP256Aes256GcmSha256, SecureChannelSuite.EcdheP384Aes256GcmSha384, SecureChannelSuite.EcdheSm2Sm4GcmSm3],
        });
        _p384Inline = new SecureChannelOptions { Suites = [SecureChannelSuite.EcdheP384Aes256GcmSha384], PregeneratedKeys = 0 };
        _inlineKeyServer = new SecureChannelServer(reportData => _platform.GetEvidence(reportData), _ => null, new SecureChannelOptions
        {
            MaxSessions = 1_000_000,
            Suites = [SecureChannelSuite.EcdheP384Aes256GcmSha384],
            PregeneratedKeys = 0,
        });
        RandomNumberGenerator.Fill(_data);

        var suite = SuiteInfo.For(SecureChannelSuite.EcdheP256Aes256GcmSha256);
        var id = RandomNumberGenerator.GetBytes(16);
        var a = RandomNumberGenerator.GetBytes(32);
        var b = RandomNumberGenerator.GetBytes(32);
        var recordOptions = new SecureChannelOptions();
        _sender = new ChannelSession(suite, id, a.ToArray(), b.ToArray(), recordOptions);
        _receiver = new ChannelSession(suite, id, b, a, recordOptions);
        _raw = new AesGcm(RandomNumberGenerator.GetBytes(32), 16);
        var c = RandomNumberGenerator.GetBytes(32);
        var d = RandomNumberGenerator.GetBytes(32);
        _smSender = new ChannelSession(SuiteInfo.Sm2, id, c.ToArray(), d.ToArray(), recordOptions);
        _smReceiver = new ChannelSession(SuiteInfo.Sm2, id, d, c, recordOptions);
        _rawSm4 = new GcmBlockCipher(new SM4Engine());
        _rawSm4Key = new KeyParameter(RandomNumberGenerator.GetBytes(16));
        if (Handshake_P256().Length != 16 || Handshake_SM2().Length != 16
            || !Record_64KiB_seal_and_open().AsSpan().SequenceEqual(_data)
            || !Record_64KiB_SM4GCM_seal_and_open().AsSpan().SequenceEqual(_data)
            || !Raw_BouncyCastle_SM4GCM_64KiB_encrypt_and_decrypt().AsSpan().SequenceEqual(_data))
        {
            throw new InvalidOperationException("the secure channel does not work");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _server.Dispose();
        _inlineKeyServer.Dispose();
        _sender.Dispose();
        _receiver.Dispose();
        _smSender.Dispose();
        _smReceiver.Dispose();
        _raw.Dispose();
        _platform.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark]
    public byte[] Handshake_P256() => Handshake(_p256);

    [Benchmark]
    public byte[] Handshake_P384() => Handshake(_p384);

    /// <summary>P-384 with every key generated inside the handshake (no pre-generation on either side): the cost before the fix.</summary>
    [Benchmark]
    public byte[] Handshake_P384_keys_generated_inline() => Handshake(_p384Inline, _inlineKeyServer);

    [Benchmark]
    public byte[] Handshake_SM2() => Handshake(_sm);

    [Benchmark]
    public byte[] Record_64KiB_seal_and_open()
    {
        var frame = _sender.Seal(_data);
        return _receiver.Open((SecGear.SecureChannel.MessageType)frame[0], frame.AsSpan(5))!;
    }

    [Benchmark(Baseline = true)]
    public byte[] Raw_AesGcm_64KiB_encrypt_and_decrypt()
    {
        _raw.Encrypt(_nonce, _data, _ciphertext, _tag);
        _raw.Decrypt(_nonce, _ciphertext, _tag, _decrypted);
        return _decrypted;
    }

    [Benchmark]
    public byte[] Record_64KiB_SM4GCM_seal_and_open()
    {
        var frame = _smSender.Seal(_data);
        return _smReceiver.Open((SecGear.SecureChannel.MessageType)frame[0], frame.AsSpan(5))!;
    }

    /// <summary>The SM4-GCM floor: one BouncyCastle GCM instance, a fresh nonce per call (GCM refuses a repeated one).</summary>
    [Benchmark]
    public byte[] Raw_BouncyCastle_SM4GCM_64KiB_encrypt_and_decrypt()
    {
        _rawSm4Counter++;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(_nonce.AsSpan(4), _rawSm4Counter);
        _rawSm4.Init(true, new ParametersWithIV(_rawSm4Key, _nonce));
        int written = _rawSm4.ProcessBytes(_data, _sealedSm4);
        _rawSm4.DoFinal(_sealedSm4.AsSpan(written));
        _rawSm4.Init(false, new ParametersWithIV(_rawSm4Key, _nonce));
        written = _rawSm4.ProcessBytes(_sealedSm4, _decrypted);
        _rawSm4.DoFinal(_decrypted.AsSpan(written));
        return _decrypted;
    }

    private byte[] Handshake(SecureChannelOptions options) => Handshake(options, _server);

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
