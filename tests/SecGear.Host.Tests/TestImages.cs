using System.Security.Cryptography;
using SecGear.Images;

namespace SecGear.Host.Tests;

/// <summary>Signed images of the fixture enclave, built once per test run into a temporary directory.</summary>
public sealed class TestImages : IDisposable
{
    public TestImages()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("secgear-host-tests-").FullName;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        byte[] assembly = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestEnclave.dll"));
        Main = Build(key, assembly, "main.sgimg", maxThreads: 4);
        TwoThreads = Build(key, assembly, "two-threads.sgimg", maxThreads: 2);
        SingleThread = Build(key, assembly, "single-thread.sgimg", maxThreads: 1);
        Production = Build(key, assembly, "production.sgimg", maxThreads: 4, debug: false);

        byte[] tampered = File.ReadAllBytes(Main);
        tampered[tampered.Length / 2] ^= 0x01;
        Tampered = Path.Combine(Directory, "tampered.sgimg");
        File.WriteAllBytes(Tampered, tampered);
    }

    public string Directory { get; }

    /// <summary>Debug image, 4 enclave threads.</summary>
    public string Main { get; }

    /// <summary>Debug image, 2 enclave threads.</summary>
    public string TwoThreads { get; }

    /// <summary>Debug image, 1 enclave thread.</summary>
    public string SingleThread { get; }

    /// <summary>Production (non-debug) image.</summary>
    public string Production { get; }

    /// <summary><see cref="Main"/> with one bit flipped in the middle.</summary>
    public string Tampered { get; }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private string Build(ECDsa key, byte[] assembly, string name, int maxThreads, bool debug = true)
    {
        var manifest = new EnclaveManifest
        {
            Name = "TestEnclave",
            ProductId = 7,
            SecurityVersion = 3,
            Debug = debug,
            MaxThreads = maxThreads,
            EntryAssembly = "TestEnclave.dll",
        };
        byte[] image = new EnclaveImageBuilder(manifest).AddFile("TestEnclave.dll", assembly).Sign(key);
        string path = Path.Combine(Directory, name);
        File.WriteAllBytes(path, image);
        return path;
    }
}

[CollectionDefinition(Name)]
public sealed class ImagesCollection : ICollectionFixture<TestImages>
{
    public const string Name = "images";
}
