
namespace SecGear.SecureChannel.Tests;

public sealed class FuzzTests : IClassFixture<SimulatedEnclaveFixture>
{
    private readonly SimulatedMachine _enclave;

    public FuzzTests(SimulatedEnclaveFixture fixture)
    {
        _enclave = fixture.Enclave;
    }

    [Theory]
    [InlineData(SecureChannelSuite.EcdheP256Aes256GcmSha256)]
    [InlineData(SecureChannelSuite.EcdheSm2Sm4GcmSm3)]
    public void Mutated_client_frames_only_ever_raise_secure_channel_exceptions_on_the_server(SecureChannelSuite suite)
    {
        var options = new SecureChannelOptions { Suites = [suite], MaxSessions = 1000 };
        var random = new Random(7);
        using var server = Handshakes.EchoServer(_enclave, options);
        int rejected = 0;
        for (int round = 0; round < 150; round++)
        {
            using var client = new ClientHandshake(options, _enclave.Verifier, SimulatedEnclaveFixture.Policy, null);
            var hello = client.CreateHello();
            var step = round % 3;
            if (step == 0)
            {
                rejected += Survives(() => server.Process(Mutate(hello, random)));
                continue;
            }

            var serverHello = Handshakes.Single(server.Process(hello));
            var clientKey = client.ProcessServerHello(serverHello);
            if (step == 1)
            {
                rejected += Survives(() => server.Process(Mutate(clientKey, random)));
                continue;
            }

            using var session = client.ProcessServerFinished(Handshakes.Single(server.Process(clientKey)));
            rejected += Survives(() => server.Process(Mutate(session.Seal("fuzz me"u8), random)));
        }

        Assert.True(rejected > 100, $"only {rejected} of 150 mutations were rejected");
    }

    [Theory]
    [InlineData(SecureChannelSuite.EcdheP256Aes256GcmSha256)]
    [InlineData(SecureChannelSuite.EcdheSm2Sm4GcmSm3)]
    public void Mutated_server_frames_only_ever_raise_secure_channel_exceptions_on_the_client(SecureChannelSuite suite)
    {
        var options = new SecureChannelOptions { Suites = [suite], MaxSessions = 1000 };
        var random = new Random(11);
        using var server = Handshakes.EchoServer(_enclave, options);
        int rejected = 0;
        for (int round = 0; round < 150; round++)
        {
            using var client = new ClientHandshake(options, _enclave.Verifier, SimulatedEnclaveFixture.Policy, null);
            var serverHello = Handshakes.Single(server.Process(client.CreateHello()));
            if (round % 2 == 0)
            {
                rejected += Survives(() => client.ProcessServerHello(Mutate(serverHello, random)));
                continue;
            }

            var serverFinished = Handshakes.Single(server.Process(client.ProcessServerHello(serverHello)));
            rejected += Survives(() => client.ProcessServerFinished(Mutate(serverFinished, random)));
        }

        Assert.True(rejected > 100, $"only {rejected} of 150 mutations were rejected");
    }

    [Theory]
    [InlineData(SecureChannelSuite.EcdheP256Aes256GcmSha256)]
    [InlineData(SecureChannelSuite.EcdheSm2Sm4GcmSm3)]
    public void Mutated_client_keys_with_certificates_only_ever_raise_secure_channel_exceptions(SecureChannelSuite suite)
    {
        var random = new Random(13);
        using var root = ClientCertificates.CreateRoot();
        using var leaf = ClientCertificates.Issue(root, System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var (sm2Certificate, sm2Key) = ClientCertificates.CreateSm2();
        var credential = suite == SecureChannelSuite.EcdheSm2Sm4GcmSm3 ? ClientCredential.FromSm2(sm2Certificate, sm2Key) : ClientCredential.FromCertificate(leaf);
        var policy = ClientCertificatePolicy.Custom((_, _) => null);
        using var server = Handshakes.EchoServer(_enclave, new SecureChannelOptions { Suites = [suite], MaxSessions = 1000, ClientCertificatePolicy = policy });
        var options = new SecureChannelOptions { Suites = [suite], ClientCredential = credential };
        int rejected = 0;
        for (int round = 0; round < 100; round++)
        {
            using var client = new ClientHandshake(options, _enclave.Verifier, SimulatedEnclaveFixture.Policy, null);
            var clientKey = client.ProcessServerHello(Handshakes.Single(server.Process(client.CreateHello())));
            rejected += Survives(() => server.Process(Mutate(clientKey, random)));
        }

        Assert.True(rejected > 90, $"only {rejected} of 100 mutations were rejected");
    }

    [Fact]
    public void Random_bytes_never_crash_the_server()
    {
        var random = new Random(3);
        using var server = Handshakes.EchoServer(_enclave);
        for (int round = 0; round < 500; round++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            if (bytes.Length > 0)
            {
                bytes[0] = (byte)random.Next(0, 8);
            }

            Survives(() => server.Process(bytes));
        }

        Assert.Equal(0, server.SessionCount);
    }

    /// <summary>Runs the action; returns 1 when it threw <see cref="SecureChannelException"/>, 0 when it passed. Any other exception fails the test.</summary>
    private static int Survives(Action action)
    {
        try
        {
            action();
            return 0;
        }
        catch (SecureChannelException)
        {
            return 1;
        }
    }

    private static int Survives(Func<object> action) => Survives(() => { action(); });

    private static byte[] Mutate(byte[] frame, Random random)
    {
        var copy = frame.ToArray();
        switch (random.Next(4))
        {
            case 0:
                copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
                return copy;
            case 1:
                return copy[..random.Next(copy.Length)];
            case 2:
                int at = random.Next(Wire.FrameHeaderLength, copy.Length);
                copy[at] = (byte)random.Next(256);
                copy[random.Next(copy.Length)] = (byte)random.Next(256);
                return copy;
            default:
                var grown = new byte[copy.Length + random.Next(1, 40)];
                copy.CopyTo(grown, 0);
                random.NextBytes(grown.AsSpan(copy.Length));
                return grown;
        }
    }
}
