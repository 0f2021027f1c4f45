using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using SecGear.Images;

namespace SecGear.Benchmarks;

/// <summary>
/// Verifying an image against its floor: hashing the same bytes once with SHA-256 plus one ECDSA P-384 verification,
/// which any verifying loader must do. The Ratio column is the overhead of parsing and checks.
/// </summary>
[MemoryDiagnoser]
public class ImageBenchmarks
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
    private byte[] _image = [];
    private byte[] _content = [];
    private byte[] _digest = [];
    private byte[] _signature = [];

    /// <summary>Total assembly bytes in the image.</summary>
    [Params(64 * 1024, 8 * 1024 * 1024)]
    public int ContentBytes { get; set; }

    /// <summary>Builds a four-file image of <see cref="ContentBytes"/>.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _content = RandomNumberGenerator.GetBytes(ContentBytes);
        var builder = new EnclaveImageBuilder(new EnclaveManifest { Name = "bench", EntryAssembly = "a0.dll" });
        int quarter = ContentBytes / 4;
        for (int i = 0; i < 4; i++)
        {
            builder.AddFile($"a{i}.dll", _content.AsMemory(i * quarter, quarter));
        }

        _image = builder.Sign(_key);
        _digest = SHA384.HashData(_content);
        _signature = _key.SignHash(_digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>Floor: one SHA-256 pass over the content and one signature verification.</summary>
    [Benchmark(Baseline = true)]
    public bool HashAndVerifyFloor() =>
        SHA256.HashData(_content)[0] != 0 | _key.VerifyHash(_digest, _signature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>EnclaveImage.Load: copy, parse, hash every file, recompute the measurement, verify.</summary>
    [Benchmark]
    public EnclaveImage Load() => EnclaveImage.Load(_image);
}
