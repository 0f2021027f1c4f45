using System.Security.Cryptography;
using System.Text;
using SecGear.Images;

namespace SecGear.Core.Tests.Images;

internal static class TestImages
{
    public static readonly ECDsa KeyA = ECDsa.Create(ECCurve.NamedCurves.nistP384);
    public static readonly ECDsa KeyB = ECDsa.Create(ECCurve.NamedCurves.nistP384);

    public static EnclaveManifest Manifest(string entry = "Hello.Enclave.dll") => new()
    {
        Name = "hello",
        ProductId = 7,
        SecurityVersion = 3,
        Debug = false,
        MaxThreads = 4,
        HeapLimit = 64L * 1024 * 1024,
        EntryAssembly = entry,
    };

    public static EnclaveImageBuilder Builder(EnclaveManifest? manifest = null) =>
        new EnclaveImageBuilder(manifest ?? Manifest())
            .AddFile("Hello.Enclave.dll", Encoding.UTF8.GetBytes("MZ pretend assembly bytes of the enclave"))
            .AddFile("lib/Dependency.dll", Encoding.UTF8.GetBytes("a dependency with different content"))
            .AddFile("data/config.bin", new byte[] { 0, 1, 2, 3, 255 });

    public static byte[] Signed() => Builder().Sign(KeyA);

    /// <summary>Offset of the first occurrence of <paramref name="needle"/> in <paramref name="haystack"/>.</summary>
    public static int Find(byte[] haystack, string needle, int occurrence = 0)
    {
        var bytes = Encoding.UTF8.GetBytes(needle);
        int at = -1;
        for (int i = 0; i <= occurrence; i++)
        {
            int next = haystack.AsSpan(at + 1).IndexOf(bytes);
            Assert.True(next >= 0, $"'{needle}' occurrence {i} not found");
            at += 1 + next;
        }

        return at;
    }
}
