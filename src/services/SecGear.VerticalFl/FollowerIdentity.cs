using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.SecureChannel;

namespace SecGear.VerticalFl;

/// <summary>
/// A follower's channel identity: an ECDSA P-256 key in a self-signed certificate. The party keeps the private key;
/// the SHA-256 of its public key (<see cref="KeySha256"/>) goes into the training plan every party agrees to, and the
/// enclave accepts a session as that party only when the client proves possession of that key.
/// </summary>
public sealed class FollowerIdentity : IDisposable
{
    private readonly X509Certificate2 _certificate;

    private FollowerIdentity(X509Certificate2 certificate)
    {
        _certificate = certificate;
        KeySha256 = SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo());
    }

    /// <summary>SHA-256 of the certificate's SubjectPublicKeyInfo: the pin the plan lists for this party.</summary>
    public byte[] KeySha256 { get; }

    /// <summary>The credential the follower's secure channel client authenticates with.</summary>
    public ClientCredential Credential => ClientCredential.FromCertificate(_certificate);

    /// <summary>A fresh key and a certificate for it, valid from a day ago for <paramref name="validity"/> (default a year).</summary>
    public static FollowerIdentity Create(string party, TimeSpan? validity = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(party);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=" + party.Replace(",", "", StringComparison.Ordinal) + " (SecGear.VerticalFl follower)"), key, HashAlgorithmName.SHA256);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        using X509Certificate2 created = request.CreateSelfSigned(now.AddDays(-1), now + (validity ?? TimeSpan.FromDays(365)));

        // Round-trip through PKCS#8 so the key is usable after the ECDsa above is disposed, on every platform.
        return new FollowerIdentity(X509Certificate2.CreateFromPem(created.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem()));
    }

    /// <summary>Reads a PEM file holding the certificate and its PKCS#8 private key (as <see cref="Save"/> writes it).</summary>
    public static FollowerIdentity Load(string path)
    {
        try
        {
            return new FollowerIdentity(X509Certificate2.CreateFromPemFile(path));
        }
        catch (CryptographicException ex)
        {
            throw new InvalidDataException($"{path}: not a PEM certificate with its ECDSA private key ({ex.Message})", ex);
        }
    }

    /// <summary>Writes the certificate and the private key as PEM, readable by the owner only (mode 0600 on Unix).</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using ECDsa key = _certificate.GetECDsaPrivateKey()!;
        string pem = _certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new StreamWriter(path, System.Text.Encoding.ASCII, options);
        stream.Write(pem);
    }

    /// <inheritdoc />
    public void Dispose() => _certificate.Dispose();
}
