using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SecGear.RaTls.Tests;

/// <summary>Test-made certificates that are not (valid) RA-TLS certificates, and access to a certificate's evidence.</summary>
internal static class Certificates
{
    public static byte[] EvidenceOf(X509Certificate2 certificate)
    {
        var extension = certificate.Extensions[RaTlsEvidenceExtension.Oid]!;
        Assert.True(RaTlsEvidenceExtension.TryReadEvidence(extension.RawData, out var evidence, out var error), error);
        return evidence;
    }

    public static X509Certificate2 SelfSignedWithoutEvidence() => SelfSigned(_ => { });

    public static X509Certificate2 SelfSigned(Action<CertificateRequest> addExtensions)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        addExtensions(request);
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}
