using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.Files;

namespace SecGear.Simulation;

/// <summary>
/// The per-machine simulated attestation CA (DESIGN.md section 6) and the platform attestation key certificate it
/// issues. Both keys are derived from the platform secret; the two certificates are public files beside the secret
/// (<c>&lt;secret&gt;.attestation-ca.pem</c> and <c>&lt;secret&gt;.attestation-key.pem</c>), created once and then
/// reused, so the CA certificate's fingerprint is stable and a verifier can pin it as a trust anchor.
/// </summary>
public static class SimulatedAttestationAuthority
{
    /// <summary>The subject (and issuer) name of the simulated CA certificate.</summary>
    public const string CaSubject = "CN=SecGear.NET Simulated Attestation CA, O=SecGear.NET simulation";

    /// <summary>The subject name of the platform attestation key certificate.</summary>
    public const string AttestationKeySubject = "CN=SecGear.NET Simulated Platform Attestation Key, O=SecGear.NET simulation";

    /// <summary>Start of both certificates' validity: fixed, so verification at any recent time works.</summary>
    public static readonly DateTimeOffset NotBefore = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>End of both certificates' validity.</summary>
    public static readonly DateTimeOffset NotAfter = new(2120, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Where the CA certificate for the secret at <paramref name="secretPath"/> lives.</summary>
    public static string CaCertificatePath(string secretPath) => secretPath + ".attestation-ca.pem";

    /// <summary>Where the attestation key certificate for the secret at <paramref name="secretPath"/> lives.</summary>
    public static string AttestationKeyCertificatePath(string secretPath) => secretPath + ".attestation-key.pem";

    /// <summary>
    /// Creates the platform secret and both certificates if absent, checks that they belong together, and returns the
    /// CA certificate (DER): what a verifier adds to its trust anchors to accept this machine's simulation evidence.
    /// </summary>
    /// <exception cref="PlatformSecretException">The secret or a certificate file is unusable or belongs to another secret.</exception>
    public static byte[] EnsureCaCertificate(SimulatedPlatformOptions? options = null)
    {
        var path = (options ?? new SimulatedPlatformOptions()).SecretPath;
        var secret = PlatformSecretFile.LoadOrCreate(path);
        try
        {
            return Load(path, secret).CaCertificate;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>Loads (or creates) both certificates for the secret at <paramref name="secretPath"/>.</summary>
    internal static PlatformCertificates Load(string secretPath, ReadOnlySpan<byte> secret)
    {
        using var caKey = PlatformKeys.DeriveCaKey(secret);
        using var attestationKey = PlatformKeys.DeriveAttestationKey(secret);
        var caPath = CaCertificatePath(secretPath);
        var keyPath = AttestationKeyCertificatePath(secretPath);
        var ca = LoadOrCreate(caPath, caKey, () => IssueCa(caKey));
        var issued = LoadOrCreate(keyPath, attestationKey, () => IssueAttestationKey(caKey, attestationKey));
        using (var caCertificate = X509CertificateLoader.LoadCertificate(ca))
        using (var keyCertificate = X509CertificateLoader.LoadCertificate(issued))
        {
            if (!IssuedBy(keyCertificate, caCertificate))
            {
                throw new PlatformSecretException($"'{keyPath}' was not issued by the CA in '{caPath}'. Delete both files to issue new ones.");
            }
        }

        return new PlatformCertificates(ca, issued);
    }

    private static bool IssuedBy(X509Certificate2 certificate, X509Certificate2 issuer)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(issuer);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = NotBefore.AddDays(1).UtcDateTime;
        return chain.Build(certificate);
    }

    private static byte[] LoadOrCreate(string path, ECDsa expectedKey, Func<byte[]> issue)
    {
        for (int attempt = 0; attempt < 3; attempt++)
        {
            if (TryRead(path, expectedKey, out byte[]? existing))
            {
                return existing;
            }

            Publish(path, issue());
        }

        throw new PlatformSecretException($"Attestation certificate '{path}' could not be created or read; check the directory's permissions.");
    }

    // False when the file does not exist; an existing file that is not the certificate of expectedKey throws.
    private static bool TryRead(string path, ECDsa expectedKey, [NotNullWhen(true)] out byte[]? certificateDer)
    {
        certificateDer = null;
        string pem;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                return false;
            }

            if (info.Length > 16 * 1024)
            {
                throw new PlatformSecretException($"Attestation certificate '{path}' is {info.Length} bytes; a certificate PEM is under 16 KiB. Delete it to issue a new one.");
            }

            pem = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PlatformSecretException($"Attestation certificate '{path}' cannot be read: {ex.Message}", ex);
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(pem);
        }
        catch (CryptographicException ex)
        {
            throw new PlatformSecretException($"Attestation certificate '{path}' is not a PEM certificate. Delete it to issue a new one.", ex);
        }

        using (certificate)
        using (var key = certificate.GetECDsaPublicKey())
        {
            if (key is null || !key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(expectedKey.ExportSubjectPublicKeyInfo()))
            {
                throw new PlatformSecretException(
                    $"Attestation certificate '{path}' certifies a key that this platform secret does not derive (the secret was replaced?). Delete it to issue a new one.");
            }

            certificateDer = certificate.RawData;
            return true;
        }
    }

    private static void Publish(string path, byte[] der)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temporary, PemEncoding.WriteString("CERTIFICATE", der) + "\n");

            // A concurrent creator may publish first; both certify the same derived key, so either file is right.
            NoReplaceLink.TryPublish(temporary, path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new PlatformSecretException($"Attestation certificate '{path}' cannot be created: {ex.Message}", ex);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static byte[] IssueCa(ECDsa caKey)
    {
        var request = new CertificateRequest(CaSubject, caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        using var certificate = request.CreateSelfSigned(NotBefore, NotAfter);
        return certificate.RawData;
    }

    private static byte[] IssueAttestationKey(ECDsa caKey, ECDsa attestationKey)
    {
        var caPublicKey = new PublicKey(caKey);
        var request = new CertificateRequest(AttestationKeySubject, attestationKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(
            new X509SubjectKeyIdentifierExtension(caPublicKey, false)));
        Span<byte> serial = stackalloc byte[16];
        RandomNumberGenerator.Fill(serial);
        serial[0] &= 0x7F;
        using var certificate = request.Create(
            new X500DistinguishedName(CaSubject), X509SignatureGenerator.CreateForECDsa(caKey), NotBefore, NotAfter, serial);
        return certificate.RawData;
    }
}
