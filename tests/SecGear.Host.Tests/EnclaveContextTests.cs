using SecGear.Tests.TestEnclave;

namespace SecGear.Host.Tests;

/// <summary>The services the trusted runtime gives enclave code through EnclaveContext.</summary>
[Collection(ImagesCollection.Name)]
public sealed class EnclaveContextTests(TestImages images) : IDisposable
{
    private readonly string _secretDir = Directory.CreateTempSubdirectory("secgear-secret-").FullName;

    [Fact]
    public void Data_sealed_in_a_simulated_enclave_unseals_in_the_same_enclave_in_process_on_the_same_platform()
    {
        var options = new EnclaveOptions { PlatformSecretPath = Path.Combine(_secretDir, "platform.key") };
        byte[] secret = "the launch codes"u8.ToArray();
        byte[] blob;
        using (Enclave simulated = Enclave.Create(images.Main, EnclaveType.Simulation, options: options))
        {
            blob = Client(simulated).Seal(secret);
        }

        using Enclave inProcess = Enclave.Create(images.Main, EnclaveType.InProcess, options: options);
        TestClient client = Client(inProcess);
        Assert.Equal(secret, client.Unseal(blob));
        Assert.False(blob.AsSpan().IndexOf(secret) >= 0, "the sealed blob contains the plaintext");

        blob[^1] ^= 1;
        var ex = Assert.Throws<EcallFailedException>(() => client.Unseal(blob));
        Assert.Equal(typeof(SecGear.Trusted.Sealing.UnsealException).FullName, ex.RemoteType);
    }

    [Fact]
    public void Sealed_data_does_not_unseal_on_another_platform_secret()
    {
        byte[] blob;
        using (Enclave first = Enclave.Create(images.Main, EnclaveType.Simulation, options: new EnclaveOptions { PlatformSecretPath = Path.Combine(_secretDir, "a.key") }))
        {
            blob = Client(first).Seal([1, 2, 3]);
        }

        using Enclave second = Enclave.Create(images.Main, EnclaveType.Simulation, options: new EnclaveOptions { PlatformSecretPath = Path.Combine(_secretDir, "b.key") });
        Assert.Throws<EcallFailedException>(() => Client(second).Unseal(blob));
    }

    [Theory]
    [InlineData(EnclaveType.Simulation)]
    [InlineData(EnclaveType.InProcess)]
    public void Random_gives_distinct_full_length_output(EnclaveType type)
    {
        using Enclave enclave = Enclave.Create(images.Main, type);
        TestClient client = Client(enclave);

        byte[] a = client.Random(32);
        byte[] b = client.Random(32);

        Assert.Equal(32, a.Length);
        Assert.NotEqual(a, b);
    }

    public void Dispose() => Directory.Delete(_secretDir, recursive: true);

    private static TestClient Client(Enclave enclave) => new(enclave, new TestOcalls());
}
