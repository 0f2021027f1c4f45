using System.Diagnostics;
using SecGear.Images;

namespace SecGear.Cli.Tests;

/// <summary>Builds tests/Fixtures/HelloEnclave with build/SecGear.Enclave.targets, twice, each from a clean output tree.</summary>
public sealed class EnclaveTargetsTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "secgear-targets-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private EnclaveImage Build(string tree, string key)
    {
        var project = Path.Combine(RepositoryRoot.Path, "tests", "Fixtures", "HelloEnclave", "HelloEnclave.csproj");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            ArgumentList =
            {
                "build", project, "-nodeReuse:false", "-p:UseSharedCompilation=false", "-v:q", "-nologo",
                $"-p:SecGearFixtureOutput={Path.Combine(_root, tree)}", $"-p:SecGearSigningKey={key}",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(4)), "dotnet build did not finish in 4 minutes");
        Assert.True(process.ExitCode == 0, $"dotnet build failed ({process.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
        return EnclaveImage.Load(Path.Combine(_root, tree, "bin", "HelloEnclave", "Debug", "net10.0", "HelloEnclave.sgimage"));
    }

    [Fact]
    public void Building_the_fixture_enclave_twice_from_clean_trees_gives_the_same_measurement_and_a_packed_signed_image()
    {
        var key = Path.Combine(_root, "keys", "dev-signing-key.pem");

        var first = Build("first", key);
        Assert.True(File.Exists(key), "the development key is created on first build");
        var second = Build("second", key);

        Assert.Equal(first.Identity.MeasurementHex, second.Identity.MeasurementHex);
        Assert.Equal(first.Identity.Signer, second.Identity.Signer);
        Assert.Equal(["HelloEnclave.Dependency.dll", "HelloEnclave.dll"], first.Files.Select(f => f.Path));
        Assert.Equal("HelloEnclave.dll", first.Manifest.EntryAssembly);
        Assert.Equal("HelloEnclave", first.Manifest.Name);
        Assert.Equal((ushort)42, first.Identity.ProductId);
        Assert.Equal((ushort)3, first.Identity.SecurityVersion);
        Assert.Equal(4, first.Manifest.MaxThreads);
        Assert.False(first.Identity.Debug);
    }
}
