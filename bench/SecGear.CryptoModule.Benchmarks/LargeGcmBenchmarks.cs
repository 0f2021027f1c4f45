using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using SecGear.CryptoModule.Keys;

namespace SecGear.CryptoModule.Benchmarks;

/// <summary>
/// 1 MiB AES-256-GCM encryption through the host/enclave boundary (the request goes through a pooled shared buffer,
/// <c>cm_call_shared</c>), against the same AesGcm call in-process (the floor). MB/s = 1 / mean seconds.
/// </summary>
[Config(typeof(BenchConfig))]
public class LargeGcmBenchmarks
{
    private static readonly byte[] Data = RandomNumberGenerator.GetBytes(1 << 20);
    private readonly byte[] _output = new byte[(1 << 20) + 64];
    private ModuleRig _rig = null!;
    private ModuleEnclave _enclave = null!;
    private byte[] _blob = null!;
    private byte[] _floorKey = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _rig = await ModuleRig.StartAsync(switchless: true);
        _enclave = _rig.Module.Services.GetRequiredService<ModuleEnclave>();
        var store = _rig.Module.Services.GetRequiredService<SecGear.CryptoModule.Storage.KeyStore>();
        _blob = (await store.GetKeyAsync("bench", "aes"))!.Versions[0].Blob;
        _floorKey = RandomNumberGenerator.GetBytes(32);
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _rig.DisposeAsync();

    [Benchmark(Baseline = true)]
    public void InProcessAesGcm1MiB()
    {
        using var gcm = new AesGcm(_floorKey, 16);
        gcm.Encrypt(RandomNumberGenerator.GetBytes(12), Data, _output.AsSpan(0, Data.Length), _output.AsSpan(Data.Length, 16), null);
    }

    // Like the floor, the result lands in a buffer the caller already has: ModuleEnclave.Call with a reader copies the
    // ciphertext once out of the shared buffer.
    [Benchmark]
    public int EnclaveAesGcm1MiBSharedMemory() => _enclave.Call(Request(), _output, static (first, _, output) =>
    {
        first.CopyTo(output);
        return first.Length;
    });

    // The convenience form that returns new arrays: a 1 MiB allocation per call on the large-object heap.
    [Benchmark]
    public int EnclaveAesGcm1MiBNewArray() => _enclave.Call(Request()).First.Length;

    private EnclaveRequest Request() => new()
    {
        Op = EnclaveOp.Encrypt,
        Spec = KeySpec.Aes256,
        Usage = KeyUsage.Encrypt,
        Version = 1,
        Scheme = Scheme.Gcm,
        Tenant = "bench"u8,
        KeyId = "aes"u8,
        Blob = _blob,
        Data = Data,
    };
}
