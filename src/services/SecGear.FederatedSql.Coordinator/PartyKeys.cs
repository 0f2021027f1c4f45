using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SecGear.FederatedSql.Coordinator;

/// <summary>
/// A site's or analyst's channel key and self-signed certificate as PEM files, made before the roster is written (the
/// roster pins each party's public key, so keys come first). For single-machine deployments, samples and tests; a real
/// operator makes the key on the party's own machine and hands out only the certificate.
/// </summary>
/// <param name="Name">The party's name in the roster.</param>
/// <param name="CertificatePath">PEM certificate.</param>
/// <param name="KeyPath">PEM PKCS#8 private key.</param>
/// <param name="SpkiSha256">Lower-case hex SHA-256 of the certificate's SubjectPublicKeyInfo (the roster's pin).</param>
public sealed record PartyKeys(string Name, string CertificatePath, string KeyPath, string SpkiSha256)
{
    /// <summary>Makes a fresh ECDSA P-256 key and certificate for <paramref name="name"/> in <paramref name="directory"/>.</summary>
    public static PartyKeys Create(string directory, string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Directory.CreateDirectory(directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=secgear-federated-sql-{name}", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1));
        string certificatePath = Path.Combine(directory, name + ".crt.pem");
        string keyPath = Path.Combine(directory, name + ".key.pem");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return new PartyKeys(name, certificatePath, keyPath, FederatedAggregator.SpkiSha256(certificate.RawData));
    }

    /// <summary>The roster entry.</summary>
    public Protocol.SiteEntry Entry => new(Name, SpkiSha256);
}
