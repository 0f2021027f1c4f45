using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Modes;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace SecGear.CryptoModule.Benchmarks;

/// <summary>
/// ECDSA P-256 sign, SM2 sign, AES-256-GCM and SM4-GCM on 1 KiB: through the service's binary transport (concurrent
/// calls coalesced into one request and one enclave call) with switchless and with regular ECALLs, through JSON over
/// HTTP with switchless ECALLs, and the same operation in-process with the same library (the floor), at 1 and 32
/// concurrent clients. Each invocation runs <see cref="OperationsPerClient"/> operations on every client; the time
/// shown is per operation. Program.cs prints service ÷ floor and switchless ÷ regular from these rows.
/// </summary>
[Config(typeof(BenchConfig))]
public class SmallOperationBenchmarks
{
    internal const int OperationsPerClient = 16;
    private static readonly byte[] Data = RandomNumberGenerator.GetBytes(1024);
    private ModuleRig _switchless = null!;
    private ModuleRig _regular = null!;
    private ECDsa _ecdsa = null!;
    private ECPrivateKeyParameters _sm2 = null!;
    private byte[] _aesKey = null!;
    private byte[] _sm4Key = null!;

    [Params("EcdsaP256Sign", "Sm2Sign", "AesGcm1KiB", "Sm4Gcm1KiB")]
    public string Operation { get; set; } = "EcdsaP256Sign";

    [Params(1, 32)]
    public int Clients { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _switchless = await ModuleRig.StartAsync(switchless: true);
        _regular = await ModuleRig.StartAsync(switchless: false);
        _ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var curve = CustomNamedCurves.GetByName("sm2p256v1");
        var generator = new ECKeyPairGenerator();
        generator.Init(new ECKeyGenerationParameters(new ECDomainParameters(curve.Curve, curve.G, curve.N, curve.H), new SecureRandom()));
        _sm2 = (ECPrivateKeyParameters)generator.GenerateKeyPair().Private;
        _aesKey = RandomNumberGenerator.GetBytes(32);
        _sm4Key = RandomNumberGenerator.GetBytes(16);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _switchless.DisposeAsync();
        await _regular.DisposeAsync();
        _ecdsa.Dispose();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerClient)]
    public Task InProcessFloor() => Fan(() => { Floor(); return Task.CompletedTask; });

    [Benchmark(OperationsPerInvoke = OperationsPerClient)]
    public Task BinarySwitchless() => Fan(() => Binary(_switchless));

    [Benchmark(OperationsPerInvoke = OperationsPerClient)]
    public Task BinaryRegular() => Fan(() => Binary(_regular));

    [Benchmark(OperationsPerInvoke = OperationsPerClient)]
    public Task HttpSwitchless() => Fan(() => Service(_switchless));

    private async Task Fan(Func<Task> operation)
    {
        // Clients run concurrently; per-operation time = invocation time / OperationsPerClient, so at 32 clients a
        // row's ops/s is Clients / time.
        var clients = new Task[Clients];
        for (int c = 0; c < Clients; c++)
        {
            clients[c] = Task.Run(async () =>
            {
                for (int i = 0; i < OperationsPerClient; i++)
                {
                    await operation();
                }
            });
        }

        await Task.WhenAll(clients);
    }

    private Task Service(ModuleRig rig) => Operation switch
    {
        "EcdsaP256Sign" => rig.Client.SignAsync("ec", new SignRequest(Data)),
        "Sm2Sign" => rig.Client.SignAsync("sm2", new SignRequest(Data, Scheme.Sm2Sm3)),
        "AesGcm1KiB" => rig.Client.EncryptAsync("aes", new EncryptRequest(Data)),
        _ => rig.Client.EncryptAsync("sm4", new EncryptRequest(Data)),
    };

    private Task Binary(ModuleRig rig) => Operation switch
    {
        "EcdsaP256Sign" => rig.Channel.SignAsync("ec", new SignRequest(Data)),
        "Sm2Sign" => rig.Channel.SignAsync("sm2", new SignRequest(Data, Scheme.Sm2Sm3)),
        "AesGcm1KiB" => rig.Channel.EncryptAsync("aes", new EncryptRequest(Data)),
        _ => rig.Channel.EncryptAsync("sm4", new EncryptRequest(Data)),
    };

    private void Floor()
    {
        switch (Operation)
        {
            case "EcdsaP256Sign":
                _ecdsa.SignData(Data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
                break;
            case "Sm2Sign":
                var signer = new SM2Signer(PlainDsaEncoding.Instance, new SM3Digest());
                signer.Init(true, new ParametersWithRandom(_sm2, new SecureRandom()));
                signer.BlockUpdate(Data);
                signer.GenerateSignature();
                break;
            case "AesGcm1KiB":
            {
                using var gcm = new AesGcm(_aesKey, 16);
                var output = new byte[Data.Length + 16];
                gcm.Encrypt(RandomNumberGenerator.GetBytes(12), Data, output.AsSpan(0, Data.Length), output.AsSpan(Data.Length), null);
                break;
            }

            default:
            {
                var cipher = new GcmBlockCipher(new SM4Engine());
                cipher.Init(true, new AeadParameters(new KeyParameter(_sm4Key), 128, RandomNumberGenerator.GetBytes(12)));
                var output = new byte[cipher.GetOutputSize(Data.Length)];
                int written = cipher.ProcessBytes(Data, 0, Data.Length, output, 0);
                cipher.DoFinal(output, written);
                break;
            }
        }
    }
}
