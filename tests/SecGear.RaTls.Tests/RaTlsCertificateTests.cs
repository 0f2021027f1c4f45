using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SecGear.RaTls.Tests;

public sealed class RaTlsCertificateTests
{
    private static readonly byte[] SomeEvidence = [1, 2, 3];

    [Fact]
    public void Create_asks_for_evidence_binding_SHA256_of_the_certificate_public_key()
    {
        byte[]? asked = null;

        using var certificate = RaTlsCertificate.Create(reportData =>
        {
            asked = reportData.ToArray();
            return SomeEvidence;
        });

        Assert.Equal(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()), asked);
        Assert.True(certificate.HasPrivateKey);
        Assert.Equal(SomeEvidence, Certificates.EvidenceOf(certificate));
        Assert.False(certificate.Extensions[RaTlsEvidenceExtension.Oid]!.Critical);
        Assert.Equal(certificate.SubjectName.Name, certificate.IssuerName.Name);
    }

    [Fact]
    public void Create_makes_a_new_key_every_time()
    {
        using var first = RaTlsCertificate.Create(_ => SomeEvidence);
        using var second = RaTlsCertificate.Create(_ => SomeEvidence);

        Assert.NotEqual(first.PublicKey.ExportSubjectPublicKeyInfo(), second.PublicKey.ExportSubjectPublicKeyInfo());
    }

    [Fact]
    public void Create_uses_the_given_subject_names_and_validity()
    {
        var now = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var options = new RaTlsCertificateOptions
        {
            SubjectName = "CN=enclave-7",
            DnsNames = ["enclave.internal"],
            Validity = TimeSpan.FromHours(2),
            TimeProvider = new FixedTimeProvider(now),
        };

        using var certificate = RaTlsCertificate.Create(_ => SomeEvidence, options);

        Assert.Equal("CN=enclave-7", certificate.Subject);
        Assert.True(certificate.MatchesHostname("enclave.internal"));
        Assert.Equal(now.AddMinutes(-1), new DateTimeOffset(certificate.NotBefore.ToUniversalTime()));
        Assert.Equal(now.AddHours(2), new DateTimeOffset(certificate.NotAfter.ToUniversalTime()));
    }

    [Fact]
    public void Create_fails_with_RaTlsException_when_the_evidence_provider_fails_or_returns_nothing()
    {
        var thrown = Assert.Throws<RaTlsException>(() => RaTlsCertificate.Create(_ => throw new InvalidOperationException("no platform")));
        Assert.IsType<InvalidOperationException>(thrown.InnerException);
        Assert.Throws<RaTlsException>(() => RaTlsCertificate.Create(_ => []));
        Assert.Throws<RaTlsException>(() => RaTlsCertificate.Create(_ => new byte[RaTlsEvidenceExtension.MaxEvidenceLength + 1]));
    }

    [Fact]
    public void Create_refuses_curves_other_than_P256_and_P384_and_a_non_positive_validity()
    {
        Assert.Throws<ArgumentException>(() => RaTlsCertificate.Create(_ => SomeEvidence, new RaTlsCertificateOptions { Curve = ECCurve.NamedCurves.nistP521 }));
        Assert.Throws<ArgumentException>(() => RaTlsCertificate.Create(_ => SomeEvidence, new RaTlsCertificateOptions { Validity = TimeSpan.Zero }));
    }

    [Fact]
    public void Create_with_a_P384_key_signs_with_SHA384()
    {
        using var certificate = RaTlsCertificate.Create(_ => SomeEvidence, new RaTlsCertificateOptions { Curve = ECCurve.NamedCurves.nistP384 });

        Assert.Equal("1.2.840.10045.4.3.3", certificate.SignatureAlgorithm.Value);
        using var key = certificate.GetECDsaPrivateKey();
        Assert.Equal(384, key!.KeySize);
    }
}
