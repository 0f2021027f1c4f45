using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;
using SecGear.Trusted.Platform;

namespace SecGear.Trusted.Tests.Attestation;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SimulatedEvidenceTests : IDisposable
{
    private readonly TestPlatforms _platforms = new();

    public void Dispose() => _platforms.Dispose();

    private SimulatedPlatformOptions Options => new() { SecretPath = _platforms.SecretPath };

    [Fact]
    public void Evidence_carries_the_enclave_identity_report_data_and_both_certificates()
    {
        var platform = _platforms.Platform(TestPlatforms.Identity(productId: 5, svn: 4, debug: true));

        var bytes = platform.GetEvidence("nonce"u8);

        Assert.True(SimulationEvidence.TryParse(bytes, out var evidence, out var error), error);
        Assert.Equal(TestPlatforms.MeasurementA, evidence.Measurement.ToArray());
        Assert.Equal(TestPlatforms.SignerA, evidence.Signer.ToArray());
        Assert.Equal(5, evidence.ProductId);
        Assert.Equal(4, evidence.SecurityVersion);
        Assert.True(evidence.Debug);
        Assert.Equal("nonce"u8.ToArray(), evidence.ReportData[..5].ToArray());
        Assert.Equal(SimulatedPlatform.EnsureSecret(Options), evidence.PlatformId.ToArray());
        Assert.Equal(SimulatedAttestationAuthority.EnsureCaCertificate(Options), evidence.CaCertificate.ToArray());
    }

    [Fact]
    public void The_evidence_signature_verifies_with_the_key_the_CA_certified()
    {
        var bytes = _platforms.Platform(TestPlatforms.Identity()).GetEvidence([]);
        Assert.True(SimulationEvidence.TryParse(bytes, out var evidence, out _));

        using var ca = X509CertificateLoader.LoadCertificate(evidence.CaCertificate.Span);
        using var key = X509CertificateLoader.LoadCertificate(evidence.AttestationKeyCertificate.Span);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        Assert.True(chain.Build(key));
        using var publicKey = key.GetECDsaPublicKey()!;
        Assert.True(publicKey.VerifyData(evidence.SignedBytes.Span, evidence.Signature.Span, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Fact]
    public void The_CA_certificate_is_created_once_and_reused_by_every_platform_instance()
    {
        var first = SimulatedAttestationAuthority.EnsureCaCertificate(Options);
        var fromEvidence = _platforms.Platform(TestPlatforms.Identity(TestPlatforms.MeasurementB)).GetEvidence([]);

        Assert.True(SimulationEvidence.TryParse(fromEvidence, out var evidence, out _));
        Assert.Equal(first, evidence.CaCertificate.ToArray());
        Assert.Equal(first, SimulatedAttestationAuthority.EnsureCaCertificate(Options));
        Assert.True(File.Exists(SimulatedAttestationAuthority.CaCertificatePath(_platforms.SecretPath)));
        Assert.True(File.Exists(SimulatedAttestationAuthority.AttestationKeyCertificatePath(_platforms.SecretPath)));
    }

    [Fact]
    public void Another_platform_secret_gives_another_CA_and_platform_id()
    {
        var other = new SimulatedPlatformOptions { SecretPath = Path.Combine(_platforms.Directory, "other", "platform.secret") };

        var ca = SimulatedAttestationAuthority.EnsureCaCertificate(Options);
        var otherCa = SimulatedAttestationAuthority.EnsureCaCertificate(other);

        using var a = X509CertificateLoader.LoadCertificate(ca);
        using var b = X509CertificateLoader.LoadCertificate(otherCa);
        Assert.NotEqual(a.PublicKey.EncodedKeyValue.RawData, b.PublicKey.EncodedKeyValue.RawData);
        Assert.NotEqual(SimulatedPlatform.EnsureSecret(Options), SimulatedPlatform.EnsureSecret(other));
    }

    [Fact]
    public void A_CA_certificate_left_from_a_replaced_secret_is_refused_with_what_to_do()
    {
        var otherSecret = Path.Combine(_platforms.Directory, "other", "platform.secret");
        SimulatedAttestationAuthority.EnsureCaCertificate(new SimulatedPlatformOptions { SecretPath = otherSecret });
        SimulatedPlatform.EnsureSecret(Options);
        File.Copy(SimulatedAttestationAuthority.CaCertificatePath(otherSecret), SimulatedAttestationAuthority.CaCertificatePath(_platforms.SecretPath));

        var error = Assert.Throws<PlatformSecretException>(() => _platforms.Platform(TestPlatforms.Identity()).GetEvidence([]));
        Assert.Contains("does not derive", error.Message, StringComparison.Ordinal);
        Assert.Contains("Delete it", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_attestation_key_certificate_left_from_a_replaced_secret_is_refused()
    {
        var otherSecret = Path.Combine(_platforms.Directory, "other", "platform.secret");
        SimulatedAttestationAuthority.EnsureCaCertificate(new SimulatedPlatformOptions { SecretPath = otherSecret });
        SimulatedAttestationAuthority.EnsureCaCertificate(Options);
        File.Copy(SimulatedAttestationAuthority.AttestationKeyCertificatePath(otherSecret), SimulatedAttestationAuthority.AttestationKeyCertificatePath(_platforms.SecretPath), overwrite: true);

        var error = Assert.Throws<PlatformSecretException>(() => _platforms.Platform(TestPlatforms.Identity()).GetEvidence([]));
        Assert.Contains(".attestation-key.pem", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_certificate_file_is_a_typed_error()
    {
        SimulatedPlatform.EnsureSecret(Options);
        File.WriteAllText(SimulatedAttestationAuthority.CaCertificatePath(_platforms.SecretPath), "not a certificate");

        Assert.Throws<PlatformSecretException>(() => SimulatedAttestationAuthority.EnsureCaCertificate(Options));
    }

    [Fact]
    public void Concurrent_first_use_ends_with_one_CA_certificate()
    {
        var results = new byte[8][];
        Parallel.For(0, results.Length, i => results[i] = SimulatedAttestationAuthority.EnsureCaCertificate(Options));

        Assert.All(results, r => Assert.Equal(results[0], r));
        Assert.Equal(3, Directory.GetFiles(_platforms.Directory).Length);
    }

    [Fact]
    public void Report_data_longer_than_64_bytes_is_refused()
    {
        Assert.Throws<ArgumentException>(() => _platforms.Platform(TestPlatforms.Identity()).GetEvidence(new byte[65]));
    }

    [Fact]
    public void A_disposed_platform_refuses_to_attest()
    {
        var platform = _platforms.Platform(TestPlatforms.Identity());
        platform.Dispose();
        Assert.Throws<ObjectDisposedException>(() => platform.GetEvidence([]));
    }
}
