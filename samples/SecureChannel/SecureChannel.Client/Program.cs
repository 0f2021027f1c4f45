using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using SecGear.Attestation;
using SecGear.Attestation.Simulation;
using SecGear.SecureChannel;
using SecureChannel.Client;

// SecureChannel client: a plain .NET app. It connects to the host over TCP, verifies the enclave's simulated evidence
// against the pinned measurement and signer and this machine's simulated CA, sends a secret and checks the enclave's
// acknowledgement. By default it speaks the attested secure channel; with --tls, TLS 1.3 with an RA-TLS certificate
// check. Either way the session ends inside the enclave and the host in between only relays ciphertext.
ClientArguments arguments;
byte[] measurement, signer, ca;
try
{
    arguments = ClientArguments.Parse(args);
    (measurement, signer) = arguments.ExpectedIdentity();
    ca = X509CertificateLoader.LoadCertificateFromFile(arguments.CaPath).RawData;
}
catch (Exception ex) when (ex is ArgumentException or IOException or CryptographicException or SecGear.SecGearException)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(ClientArguments.Usage);
    return 64;
}

var verifier = new AttestationVerifier();
verifier.Register(new SimulationEvidenceVerifier(TrustAnchors.FromFingerprints([]).Add(ca)));
var policy = new AttestationPolicy
{
    AllowSimulation = true,
    AllowedUniqueIds = [measurement],
    AllowedSignerIds = [signer],
};
byte[] secret = Encoding.UTF8.GetBytes(arguments.Secret);
Console.WriteLine($"pinned:          measurement {Convert.ToHexStringLower(measurement)}");
Console.WriteLine($"                 signer      {Convert.ToHexStringLower(signer)}");
Console.WriteLine($"                 simulated CA {Convert.ToHexString(SHA256.HashData(ca))[..16]}... ({arguments.CaPath})");

string ack;
try
{
    using var tcp = new TcpClient();
    await tcp.ConnectAsync(arguments.Host, arguments.Port);
    ack = arguments.Tls
        ? await RaTlsExchange.SendAsync(tcp.GetStream(), verifier, policy, secret)
        : await ChannelExchange.SendAsync(tcp.GetStream(), verifier, policy, secret);
}
catch (SecureChannelException ex)
{
    Console.WriteLine($"refused:         {ex.Message}");
    return 2;
}
catch (AuthenticationException ex)
{
    Console.WriteLine($"refused:         {ex.Message}{(RaTlsExchange.LastFailure is { } failure ? $" ({failure})" : "")}");
    return 2;
}
catch (SocketException ex)
{
    Console.WriteLine($"connection:      {ex.Message} ({arguments.Host}:{arguments.Port})");
    return 3;
}

Console.WriteLine($"acknowledgement: {ack}");
string expected = $"ack sha256={Convert.ToHexStringLower(SHA256.HashData(secret))} sealed=";
bool matches = ack.StartsWith(expected, StringComparison.Ordinal);
Console.WriteLine(matches ? "check:           the enclave holds exactly the secret sent (SHA-256 matches)" : "check:           MISMATCH: the acknowledgement does not match the secret sent");
return matches ? 0 : 1;
