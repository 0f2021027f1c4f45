using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SecGear.RaTls;

/// <summary>
/// Enclave side of RA-TLS: makes a fresh ECDSA key and a self-signed certificate whose evidence extension
/// (<see cref="RaTlsEvidenceExtension"/>) carries evidence binding SHA-256 of the certificate's SubjectPublicKeyInfo,
/// so a verifier knows the TLS key belongs to the attested enclave. See docs/ra-tls.md.
/// </summary>
public static class RaTlsCertificate
{
    private static readonly PbeParameters Pkcs12Protection = new(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1);

    /// <summary>
    /// Creates an RA-TLS certificate with its private key, usable as an <see cref="System.Net.Security.SslStream"/>
    /// server (or client) certificate.
    /// </summary>
    /// <param name="evidenceProvider">
    /// Produces evidence binding the given report data (32 bytes: SHA-256 of the SubjectPublicKeyInfo), for example
    /// <c>platform.GetEvidence</c> of an <c>IAttestingPlatform</c>. Called exactly once.
    /// </param>
    /// <param name="options">Subject, names, curve and validity; defaults when null.</param>
    /// <exception cref="ArgumentException">The options name an unsupported curve, a non-positive validity or an invalid subject.</exception>
    /// <exception cref="RaTlsException">The evidence provider failed or returned empty or oversized evidence.</exception>
    public static X509Certificate2 Create(Func<ReadOnlySpan<byte>, byte[]> evidenceProvider, RaTlsCertificateOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(evidenceProvider);
        options ??= new RaTlsCertificateOptions();
        ValidateOptions(options);

        using var key = ECDsa.Create(options.Curve);
        var reportData = KeyBinding.ReportData(key.ExportSubjectPublicKeyInfo());
        byte[] evidence;
        try
        {
            evidence = evidenceProvider(reportData);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new RaTlsException($"The evidence provider failed: {ex.GetType().Name}.", ex);
        }

        if (evidence is null || evidence.Length == 0 || evidence.Length > RaTlsEvidenceExtension.MaxEvidenceLength)
        {
            throw new RaTlsException($"The evidence provider returned {evidence?.Length ?? 0} bytes; 1..{RaTlsEvidenceExtension.MaxEvidenceLength} are needed.");
        }

        var hash = options.Curve.Oid.Value == ECCurve.NamedCurves.nistP384.Oid.Value ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256;
        var request = new CertificateRequest(options.SubjectName, key, hash);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        if (options.DnsNames.Count > 0)
        {
            var names = new SubjectAlternativeNameBuilder();
            foreach (var name in options.DnsNames)
            {
                names.AddDnsName(name);
            }

            request.CertificateExtensions.Add(names.Build());
        }

        request.CertificateExtensions.Add(RaTlsEvidenceExtension.Create(evidence));
        var now = options.TimeProvider.GetUtcNow();

        // A minute of back-dating tolerates small clock differences between enclave host and client.
        using var created = request.CreateSelfSigned(now.AddMinutes(-1), now + options.Validity);

        // Round-trip through PKCS#12 so the private key is a stand-alone platform key SslStream can use on every OS
        // (Windows SChannel refuses keys created by CertificateRequest). The blob never leaves this method, so one
        // PBKDF2 iteration suffices; at the default iteration count the round trip took 85% of the creation time (docs/ra-tls.md, Speed).
        var pfx = created.ExportPkcs12(Pkcs12Protection, string.Empty);
        try
        {
            return X509CertificateLoader.LoadPkcs12(pfx, string.Empty, X509KeyStorageFlags.EphemeralKeySet | X509KeyStorageFlags.Exportable);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pfx);
        }
    }

    private static void ValidateOptions(RaTlsCertificateOptions options)
    {
        var curve = options.Curve.Oid?.Value;
        if (curve != ECCurve.NamedCurves.nistP256.Oid.Value && curve != ECCurve.NamedCurves.nistP384.Oid.Value)
        {
            throw new ArgumentException($"The curve must be NIST P-256 or P-384; got '{options.Curve.Oid?.FriendlyName ?? "(unnamed)"}'.", nameof(options));
        }

        if (options.Validity <= TimeSpan.Zero)
        {
            throw new ArgumentException($"The validity must be positive; got {options.Validity}.", nameof(options));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(options.SubjectName, nameof(options));
        ArgumentNullException.ThrowIfNull(options.DnsNames, nameof(options));
        ArgumentNullException.ThrowIfNull(options.TimeProvider, nameof(options));
    }
}
