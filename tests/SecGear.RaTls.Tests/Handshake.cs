using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace SecGear.RaTls.Tests;

/// <summary>
/// Runs TLS 1.3 between a plain SslStream client (validating with an <see cref="RaTlsValidator"/>) and an SslStream
/// server presenting an RA-TLS certificate; on success the client sends a message and the server echoes it back.
/// </summary>
internal static class Handshake
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    public sealed record Outcome(bool Succeeded, RaTlsValidationResult? Validation, SslProtocols Protocol, byte[] Echo);

    public static async Task<Outcome> RunAsync(X509Certificate2 serverCertificate, RaTlsValidator validator, byte[]? message = null, string targetHost = "localhost")
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var (client, server) = await Loopback.ConnectAsync(timeout.Token);
        return await RunAsync(client, server, serverCertificate, validator, message ?? "hello enclave"u8.ToArray(), targetHost, timeout.Token);
    }

    public static async Task<Outcome> RunAsync(
        Stream clientTransport, Stream serverTransport, X509Certificate2 serverCertificate, RaTlsValidator validator, byte[] message, string targetHost, CancellationToken cancellationToken)
    {
        RaTlsValidationResult? validation = null;
        using var clientTls = new SslStream(clientTransport, leaveInnerStreamOpen: false);
        using var serverTls = new SslStream(serverTransport, leaveInnerStreamOpen: false);
        var serverTask = ServeAsync(serverTls, serverCertificate, cancellationToken);
        try
        {
            await clientTls.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = targetHost,
                    EnabledSslProtocols = SslProtocols.Tls13,
                    RemoteCertificateValidationCallback = validator.CreateCallback(result => validation = result),
                },
                cancellationToken);
        }
        catch (AuthenticationException)
        {
            clientTls.Dispose();
            try
            {
                await serverTask;
            }
            catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException)
            {
                // The server sees the client abort the handshake; the client's view is the outcome under test.
            }

            return new Outcome(false, validation, SslProtocols.None, []);
        }

        await clientTls.WriteAsync(message, cancellationToken);
        await clientTls.FlushAsync(cancellationToken);
        var echo = new byte[message.Length];
        await clientTls.ReadExactlyAsync(echo, cancellationToken);
        await serverTask;
        return new Outcome(true, validation, clientTls.SslProtocol, echo);
    }

    private static async Task ServeAsync(SslStream tls, X509Certificate2 certificate, CancellationToken cancellationToken)
    {
        await tls.AuthenticateAsServerAsync(
            new SslServerAuthenticationOptions { ServerCertificate = certificate, EnabledSslProtocols = SslProtocols.Tls13 },
            cancellationToken);
        var buffer = new byte[4096];
        int read = await tls.ReadAsync(buffer, cancellationToken);
        await tls.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        await tls.FlushAsync(cancellationToken);
    }
}
