using System.Buffers.Binary;
using System.Net.Security;
using System.Security.Authentication;
using System.Text;
using SecGear.Attestation;
using SecGear.RaTls;

namespace SecureChannel.Client;

/// <summary>
/// The secret's trip over TLS 1.3 to a TLS server inside the enclave: a plain <see cref="SslStream"/> whose certificate
/// check is <see cref="RaTlsValidator"/> (evidence in the certificate, bound to its key, under the policy). Request
/// <c>length u32 | secret</c>, reply <c>length u32 | acknowledgement</c>.
/// </summary>
internal static class RaTlsExchange
{
    /// <summary>Why the last certificate was refused, if it was.</summary>
    public static RaTlsFailure? LastFailure { get; private set; }

    public static async Task<string> SendAsync(Stream transport, AttestationVerifier verifier, AttestationPolicy policy, byte[] secret)
    {
        RaTlsValidationResult? attested = null;
        var validator = new RaTlsValidator(verifier, policy);
        await using var tls = new SslStream(transport);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = SslProtocols.Tls13,
            RemoteCertificateValidationCallback = validator.CreateCallback(result =>
            {
                attested = result;
                LastFailure = result.Failure;
            }),
        });
        var claims = attested!.Claims!;
        Console.WriteLine($"attested:        {claims.Format}, simulated={claims.Simulated}, measurement {Convert.ToHexStringLower(claims.UniqueId.Span)[..16]}... (RA-TLS certificate)");
        Console.WriteLine($"channel:         {tls.SslProtocol}, {tls.NegotiatedCipherSuite}");

        byte[] header = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(header, secret.Length);
        await tls.WriteAsync(header);
        await tls.WriteAsync(secret);
        Console.WriteLine($"sent:            a {secret.Length}-byte secret");
        await tls.ReadExactlyAsync(header);
        int length = BinaryPrimitives.ReadInt32BigEndian(header);
        if (length is < 1 or > ClientArguments.MaxSecretLength)
        {
            throw new InvalidDataException($"the enclave announced a {length}-byte acknowledgement");
        }

        byte[] reply = new byte[length];
        await tls.ReadExactlyAsync(reply);
        return Encoding.UTF8.GetString(reply);
    }
}
