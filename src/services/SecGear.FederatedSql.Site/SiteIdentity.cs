using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.SecureChannel;

namespace SecGear.FederatedSql.Site;

/// <summary>
/// The site's channel identity: a certificate and its key. The aggregation enclave pins the SHA-256 of the public key,
/// so only this site can deliver this site's partial results.
/// </summary>
public sealed class SiteIdentity : IDisposable
{
    private SiteIdentity(X509Certificate2 certificate)
    {
        Certificate = certificate;
        SpkiSha256 = Convert.ToHexStringLower(SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo()));
    }

    /// <summary>The certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Lower-case hex SHA-256 of the certificate's SubjectPublicKeyInfo.</summary>
    public string SpkiSha256 { get; }

    /// <summary>The channel credential.</summary>
    public ClientCredential Credential => ClientCredential.FromCertificate(Certificate);

    /// <summary>A fresh ECDSA P-256 key and self-signed certificate.</summary>
    public static SiteIdentity Generate(string siteName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=secgear-federated-sql-site-{siteName}", key, HashAlgorithmName.SHA256);
        return new SiteIdentity(request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1)));
    }

    /// <summary>Loads a PEM certificate and key.</summary>
    public static SiteIdentity Load(string certificatePath, string keyPath) =>
        new(X509Certificate2.CreateFromPemFile(certificatePath, keyPath));

    /// <inheritdoc />
    public void Dispose() => Certificate.Dispose();
}
