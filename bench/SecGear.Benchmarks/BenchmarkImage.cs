using System.Security.Cryptography;
using SecGear.Images;

namespace SecGear.Benchmarks;

/// <summary>Packs the test-fixture enclave into a signed image for the benchmarks.</summary>
internal static class BenchmarkImage
{
    public static string Build()
    {
        string dir = Directory.CreateTempSubdirectory("secgear-bench-").FullName;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        byte[] assembly = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestEnclave.dll"));
        var manifest = new EnclaveManifest { Name = "TestEnclave", MaxThreads = 16, EntryAssembly = "TestEnclave.dll" };
        string path = Path.Combine(dir, "bench.sgimg");
        File.WriteAllBytes(path, new EnclaveImageBuilder(manifest).AddFile("TestEnclave.dll", assembly).Sign(key));
        return path;
    }
}
