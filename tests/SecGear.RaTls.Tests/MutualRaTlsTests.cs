using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.Attestation;

namespace SecGear.RaTls.Tests;

/// <summary>Both peers are enclaves: each presents an RA-TLS certificate and validates the other's.</summary>
public sealed class MutualRaTlsTests(EnclaveMachineFixture fixture) : IClassFixture<EnclaveMachineFixture>
{
    private SimulatedMachine Machine => fixture.Machine;

    [Fact]
    public async Task Mutual_handshake_succeeds_and_each_side_sees_the_other_enclave()
    {
        var (clientSaw, serverSaw) = await RunAsync(Machine.Policy);

        Assert.True(clientSaw!.Succeeded, clientSaw.Failure?.ToString());
        Assert.True(serverSaw!.Succeeded, serverSaw.Failure?.ToString());
        Assert.Equal(Machine.Identity.Measurement, serverSaw.Claims!.UniqueId.ToArray());
    }

    [Fact]
    public async Task Mutual_handshake_fails_when_the_server_policy_refuses_the_client_enclave()
    {
        var serverPolicy = new AttestationPolicy { AllowSimulation = true, AllowedSignerIds = [SHA256.HashData("another signer"u8)] };

        var (_, serverSaw) = await RunAsync(serverPolicy);

        Assert.Equal(RaTlsFailureCode.PolicyRejected, serverSaw!.Failure!.Code);
        Assert.Equal(AttestationFailureCode.PolicySignerIdNotAllowed, serverSaw.Failure.Attestation!.Code);
    }

    private async Task<(RaTlsValidationResult? Client, RaTlsValidationResult? Server)> RunAsync(AttestationPolicy serverPolicy)
    {
        using var serverCertificate = RaTlsCertificate.Create(Machine.Evidence);
        using var clientCertificate = RaTlsCertificate.Create(Machine.Evidence);
        var clientValidator = new RaTlsValidator(Machine.Verifier, Machine.Policy);
        var serverValidator = new RaTlsValidator(Machine.Verifier, serverPolicy) { CheckHostName = false };
        RaTlsValidationResult? clientSaw = null;
        RaTlsValidationResult? serverSaw = null;
        using var timeout = new CancellationTokenSource(Handshake.Timeout);
        var (clientStream, serverStream) = await Loopback.ConnectAsync(timeout.Token);
        using var client = new SslStream(clientStream);
        using var server = new SslStream(serverStream);

        var serverTask = server.AuthenticateAsServerAsync(
            new SslServerAuthenticationOptions
            {
                ServerCertificate = serverCertificate,
                ClientCertificateRequired = true,
                EnabledSslProtocols = SslProtocols.Tls13,
                RemoteCertificateValidationCallback = serverValidator.CreateCallback(result => serverSaw = result),
            },
            timeout.Token);
        var clientTask = client.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                ClientCertificates = [clientCertificate],
                EnabledSslProtocols = SslProtocols.Tls13,
                RemoteCertificateValidationCallback = clientValidator.CreateCallback(result => clientSaw = result),
            },
            timeout.Token);
        try
        {
            await Task.WhenAll(serverTask, clientTask);

            // TLS 1.3 finishes the client's handshake before the server has judged the client certificate: a round
            // trip makes the server's verdict visible to both.
            await client.WriteAsync("ping"u8.ToArray(), timeout.Token);
            var buffer = new byte[4];
            await server.ReadExactlyAsync(buffer, timeout.Token);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException)
        {
            // A refused certificate aborts the handshake; the validators' results are the outcome under test.
        }

        return (clientSaw, serverSaw);
    }
}
