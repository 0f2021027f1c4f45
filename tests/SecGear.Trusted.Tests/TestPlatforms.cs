using System.Security.Cryptography;
using SecGear.Identity;
using SecGear.Simulation;
using SecGear.Trusted.Platform;

namespace SecGear.Trusted.Tests;

/// <summary>A private temporary directory holding platform secrets; deleted on dispose.</summary>
internal sealed class TestPlatforms : IDisposable
{
    public static readonly byte[] MeasurementA = SHA256.HashData("enclave A"u8);
    public static readonly byte[] MeasurementB = SHA256.HashData("enclave B"u8);
    public static readonly byte[] SignerA = SHA256.HashData("signer A"u8);
    public static readonly byte[] SignerB = SHA256.HashData("signer B"u8);

    private readonly List<SimulatedPlatform> _platforms = [];

    public TestPlatforms()
    {
        Directory = Path.Combine(Path.GetTempPath(), "secgear-tests-" + Guid.NewGuid().ToString("N"));
    }

    public string Directory { get; }

    public string SecretPath => Path.Combine(Directory, "platform.secret");

    public static EnclaveIdentity Identity(byte[]? measurement = null, byte[]? signer = null, ushort productId = 1, ushort svn = 2, bool debug = false) =>
        new(measurement ?? MeasurementA, signer ?? SignerA, productId, svn, debug);

    public SimulatedPlatform Platform(EnclaveIdentity identity, string? secretPath = null)
    {
        var platform = new SimulatedPlatform(identity, new SimulatedPlatformOptions { SecretPath = secretPath ?? SecretPath });
        _platforms.Add(platform);
        return platform;
    }

    public void Dispose()
    {
        foreach (var platform in _platforms)
        {
            platform.Dispose();
        }

        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
