using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using SecGear.Identity;
using SecGear.Simulation;
using SecGear.Trusted.Platform;
using SecGear.Trusted.Sealing;

namespace SecGear.Benchmarks;

/// <summary>
/// Seal and unseal against their floor, a bare AES-256-GCM encryption of the same plaintext with a fixed key.
/// The Ratio column is the cost of key derivation (HKDF), random key id and nonce, and the blob framing.
/// </summary>
[MemoryDiagnoser]
public class SealingBenchmarks : IDisposable
{
    private readonly string _secretPath = Path.Combine(Path.GetTempPath(), "secgear-bench-" + Guid.NewGuid().ToString("N"), "platform.secret");
    private readonly AesGcm _aes = new(RandomNumberGenerator.GetBytes(32), 16);
    private readonly byte[] _nonce = new byte[12];
    private readonly byte[] _tag = new byte[16];
    private SimulatedPlatform? _platform;
    private EnclaveSealer? _sealer;
    private byte[] _plaintext = [];
    private byte[] _ciphertext = [];
    private byte[] _blob = [];

    /// <summary>Plaintext size.</summary>
    [Params(64, 64 * 1024)]
    public int Size { get; set; }

    /// <summary>Creates a platform with a private secret and a blob to unseal.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var identity = new EnclaveIdentity(SHA256.HashData("m"u8), SHA256.HashData("s"u8), 1, 1, false);
        _platform = new SimulatedPlatform(identity, new SimulatedPlatformOptions { SecretPath = _secretPath });
        _sealer = new EnclaveSealer(_platform);
        _plaintext = RandomNumberGenerator.GetBytes(Size);
        _ciphertext = new byte[Size];
        _blob = _sealer.Seal(_plaintext);
    }

    /// <summary>Floor: AES-256-GCM with a ready key.</summary>
    [Benchmark(Baseline = true)]
    public byte[] AesGcmFloor()
    {
        _aes.Encrypt(_nonce, _plaintext, _ciphertext, _tag);
        return _ciphertext;
    }

    /// <summary>EnclaveSealer.Seal with the Signer policy.</summary>
    [Benchmark]
    public byte[] Seal() => _sealer!.Seal(_plaintext);

    /// <summary>EnclaveSealer.Unseal of a Signer-policy blob.</summary>
    [Benchmark]
    public byte[] Unseal() => _sealer!.Unseal(_blob).Plaintext;

    /// <summary>Removes the temporary platform secret.</summary>
    [GlobalCleanup]
    public void Dispose()
    {
        _platform?.Dispose();
        _aes.Dispose();
        var directory = Path.GetDirectoryName(_secretPath)!;
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }

        GC.SuppressFinalize(this);
    }
}
