using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;
using SecGear.Attestation;
using SecGear.Attestation.Simulation;
using SecGear.Identity;
using SecGear.SecureChannel;
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
    private readonly string directory = Path.Combine(Path.GetTempPath(), "secgear-bench-" + Guid.NewGuid().ToString("N"));
    private readonly byte[] data = new byte[RecordSize];
    private readonly byte[] ciphertext = new byte[RecordSize];
    private readonly byte[] decrypted = new byte[RecordSize];
    private readonly byte[] tag = new byte[16];
    private readonly byte[] sealedSm4 = new byte[RecordSize + 16];
    private readonly byte[] nonce = new byte[12];
    private SimulatedPlatform platform = null!;
    private AttestationVerifier verifier = null!;
    private AttestationPolicy policy = null!;
    private SecureChannelServer server = null!;
    private SecureChannelServer inlineKeyServer = null!;
    private SecureChannelOptions p384Inline = null!;
    private SecureChannelOptions p256 = null!;
    private SecureChannelOptions p384 = null!;
    private SecureChannelOptions sm = null!;
    private ChannelSession sender = null!;
    private ChannelSession receiver = null!;
    private ChannelSession smSender = null!;
    private ChannelSession smReceiver = null!;
    private AesGcm raw = null!;
    private GcmBlockCipher rawSm4 = null!;
    private KeyParameter rawSm4Key = null!;
    private ulong rawSm4Counter;

    [GlobalSetup]
    public void Setup()
    {
        var options = new SimulatedPlatformOptions { SecretPath = Path.Combine(directory, "platform.secret") };
        platform = new SimulatedPlatform(Identity, options);
        verifier = new AttestationVerifier();
        verifier.Register(new SimulationEvidenceVerifier(TrustAnchors.FromFingerprints([]).Add(SimulatedAttestationAuthority.EnsureCaCertificate(options))));
        policy = new AttestationPolicy { AllowSimulation = true, AllowedUniqueIds = [Identity.Measurement] };
        p256 = new SecureChannelOptions { Suites = [SecureChannelSuite.EcdheP256Aes256GcmSha256] };
        p384 = new SecureChannelOptions { Suites = [SecureChannelSuite.EcdheP384Aes256GcmSha384] };
        sm = new SecureChannelOptions { Suites = [SecureChannelSuite.EcdheSm2Sm4GcmSm3] };
        server = new SecureChannelServer(reportData => platform.GetEvidence(reportData), _ => null, new SecureChannelOptions
        {
            MaxSessions = 1_000_000,
            Suites = [SecureChannelSuite.EcdheP256Aes256GcmSha256, SecureChannelSuite.EcdheP384Aes256GcmSha384, SecureChannelSuite.EcdheSm2Sm4GcmSm3],
        });
        p384Inline = new SecureChannelOptions { Suites = [SecureChannelSuite.EcdheP384Aes256GcmSha384], PregeneratedKeys = 0 };
        inlineKeyServer = new SecureChannelServer(reportData => platform.GetEvidence(reportData), _ => null, new SecureChannelOptions
        {
            MaxSessions = 1_000_000,
            Suites = [SecureChannelSuite.EcdheP384Aes256GcmSha384],
            PregeneratedKeys = 0,
        });
        RandomNumberGenerator.Fill(data);

        var suite = SuiteInfo.For(SecureChannelSuite.EcdheP256Aes256GcmSha256);
        var id = RandomNumberGenerator.GetBytes(16);
        var a = RandomNumberGenerator.GetBytes(32);
        var b = RandomNumberGenerator.GetBytes(32);
        var recordOptions = new SecureChannelOptions();
        sender = new ChannelSession(suite, id, a.ToArray(), b.ToArray(), recordOptions);
        receiver = new ChannelSession(suite, id, b, a, recordOptions);
        raw = new AesGcm(RandomNumberGenerator.GetBytes(32), 16);
        var c = RandomNumberGenerator.GetBytes(32);
        var d = RandomNumberGenerator.GetBytes(32);
        smSender = new ChannelSession(SuiteInfo.Sm2, id, c.ToArray(), d.ToArray(), recordOptions);
        smReceiver = new ChannelSession(SuiteInfo.Sm2, id, d, c, recordOptions);
        rawSm4 = new GcmBlockCipher(new SM4Engine());
        rawSm4Key = new KeyParameter(RandomNumberGenerator.GetBytes(16));
        if (Handshake_P256().Length != 16 || Handshake_SM2().Length != 16
            || !Record_64KiB_seal_and_open().AsSpan().SequenceEqual(data)
            || !Record_64KiB_SM4GCM_seal_and_open().AsSpan().SequenceEqual(data)
            || !Raw_BouncyCastle_SM4GCM_64KiB_encrypt_and_decrypt().AsSpan().SequenceEqual(data))
        {
            throw new InvalidOperationException("the secure channel does not work");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        server.Dispose();
        inlineKeyServer.Dispose();
        sender.Dispose();
        receiver.Dispose();
        smSender.Dispose();
        smReceiver.Dispose();
        raw.Dispose();
        platform.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    [Benchmark]
    public byte[] Handshake_P256() => Handshake(p256);

    [Benchmark]
    public byte[] Handshake_P384() => Handshake(p384);

    /// <summary>P-384 with every key generated inside the handshake (no pre-generation on either side): the cost before the fix.</summary>
    [Benchmark]
    public byte[] Handshake_P384_keys_generated_inline() => Handshake(p384Inline, inlineKeyServer);

    [Benchmark]
    public byte[] Handshake_SM2() => Handshake(sm);

    [Benchmark]
    public byte[] Record_64KiB_seal_and_open()
    {
        var frame = sender.Seal(data);
        return receiver.Open((SecGear.SecureChannel.MessageType)frame[0], frame.AsSpan(5))!;
    }

    [Benchmark(Baseline = true)]
    public byte[] Raw_AesGcm_64KiB_encrypt_and_decrypt()
    {
        raw.Encrypt(nonce, data, ciphertext, tag);
        raw.Decrypt(nonce, ciphertext, tag, decrypted);
        return decrypted;
    }

    [Benchmark]
    public byte[] Record_64KiB_SM4GCM_seal_and_open()
    {
        var frame = smSender.Seal(data);
        return smReceiver.Open((SecGear.SecureChannel.MessageType)frame[0], frame.AsSpan(5))!;
    }

    /// <summary>The SM4-GCM floor: one BouncyCastle GCM instance, a fresh nonce per call (GCM refuses a repeated one).</summary>
    [Benchmark]
    public byte[] Raw_BouncyCastle_SM4GCM_64KiB_encrypt_and_decrypt()
    {
        rawSm4Counter++;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(nonce.AsSpan(4), rawSm4Counter);
        rawSm4.Init(true, new ParametersWithIV(rawSm4Key, nonce));
        int written = rawSm4.ProcessBytes(data, sealedSm4);
        rawSm4.DoFinal(sealedSm4.AsSpan(written));
        rawSm4.Init(false, new ParametersWithIV(rawSm4Key, nonce));
        written = rawSm4.ProcessBytes(sealedSm4, decrypted);
        rawSm4.DoFinal(decrypted.AsSpan(written));
        return decrypted;
    }

    private byte[] Handshake(SecureChannelOptions options) => Handshake(options, server);

    private byte[] Handshake(SecureChannelOptions options, SecureChannelServer server)
    {
        using var client = new ClientHandshake(options, verifier, policy, null);
        var serverHello = server.Process(client.CreateHello())[0];
        var serverFinished = server.Process(client.ProcessServerHello(serverHello))[0];
        using var session = client.ProcessServerFinished(serverFinished);
        server.Process(session.SealClose());
        return session.SessionId;
    }
}
