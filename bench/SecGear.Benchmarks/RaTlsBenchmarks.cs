using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using BenchmarkDotNet.Attributes;
using SecGear.Attestation;
using SecGear.Attestation.Simulation;
using SecGear.Identity;
using SecGear.RaTls;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;

namespace SecGear.Benchmarks;

/// <summary>
/// RA-TLS costs with simulated evidence: creating the certificate (key generation, evidence, self-signing, PKCS#12
/// round trip) against a bare self-signed certificate with the same one-iteration PKCS#12 round trip (the baseline: the
/// difference is the evidence and the extensions); validating it; and a
/// full TLS 1.3 handshake over 127.0.0.1 with the validator in the client callback.
/// </summary>
[MemoryDiagnoser]
public class RaTlsBenchmarks
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "secgear-bench-ratls-" + Guid.NewGuid().ToString("N"));
    private SimulatedPlatform _platform = null!;
    private RaTlsValidator _validator = null!;
    private X509Certificate2 _certificate = null!;

    [GlobalSetup]
    public void Setup()
    {
        var options = new SimulatedPlatformOptions { SecretPath = Path.Combine(_directory, "platform.secret") };
        var identity = new EnclaveIdentity(SHA256.HashData("a"u8), SHA256.HashData("s"u8), 1, 1, false);
        _platform = new SimulatedPlatform(identity, options);
        var verifier = new AttestationVerifier();
        verifier.Register(new SimulationEvidenceVerifier(TrustAnchors.FromFingerprints([]).Add(SimulatedAttestationAuthority.EnsureCaCertificate(options))));
        _validator = new RaTlsValidator(verifier, new AttestationPolicy { AllowSimulation = true, AllowedUniqueIds = [identity.Measurement] });
        _certificate = RaTlsCertificate.Create(_platform.GetEvidence);
        if (!_validator.Validate(_certificate).Succeeded)
        {
            throw new InvalidOperationException("the RA-TLS certificate does not validate");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _certificate.Dispose();
        _platform.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public X509Certificate2 Plain_self_signed_certificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var created = new CertificateRequest("CN=plain", key, HashAlgorithmName.SHA256).CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
        var pfx = created.ExportPkcs12(new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1), string.Empty);
        using var loaded = X509CertificateLoader.LoadPkcs12(pfx, string.Empty, X509KeyStorageFlags.EphemeralKeySet);
        return loaded;
    }

    [Benchmark]
    public X509Certificate2 Create_RA_TLS_certificate()
    {
        using var created = RaTlsCertificate.Create(_platform.GetEvidence);
        return created;
    }

    [Benchmark]
    public bool Validate_RA_TLS_certificate() => _validator.Validate(_certificate).Succeeded;

    [Benchmark]
    public async Task<bool> Tls13_handshake_with_RA_TLS_validation()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        var accept = listener.AcceptTcpClientAsync();
        await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        using var server = await accept;
        using var clientTls = new SslStream(client.GetStream());
        using var serverTls = new SslStream(server.GetStream());
        var serverTask = serverTls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate, EnabledSslProtocols = SslProtocols.Tls13 });
        await clientTls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = SslProtocols.Tls13,
            RemoteCertificateValidationCallback = _validator.CreateCallback(),
        });
        await serverTask;
        return clientTls.IsAuthenticated;
    }
}
