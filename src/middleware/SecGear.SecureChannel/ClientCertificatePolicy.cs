using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SecGear.SecureChannel;

/// <summary>
/// How a server decides whether a client certificate is acceptable (the client's proof of possession is checked
/// separately, always). Set it as <see cref="SecureChannelOptions.ClientCertificatePolicy"/> to require client
/// certificates. Every policy also checks the certificate's validity period at the server's time.
/// </summary>
public sealed class ClientCertificatePolicy
{
    private readonly Func<X509Certificate2, DateTimeOffset, string?> _check;

    private ClientCertificatePolicy(Func<X509Certificate2, DateTimeOffset, string?> check)
    {
        _check = check;
    }

    /// <summary>Accepts certificates whose SubjectPublicKeyInfo has one of these SHA-256 fingerprints (any key type, SM2 included).</summary>
    public static ClientCertificatePolicy PinnedPublicKeys(IEnumerable<byte[]> subjectPublicKeyInfoSha256)
    {
        ArgumentNullException.ThrowIfNull(subjectPublicKeyInfoSha256);
        var pins = subjectPublicKeyInfoSha256.Select(p => p.Length == 32 ? p.ToArray() : throw new ArgumentException("a pin is a 32-byte SHA-256", nameof(subjectPublicKeyInfoSha256))).ToArray();
        return new((certificate, _) =>
        {
            var actual = SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo());
            return pins.Any(pin => CryptographicOperations.FixedTimeEquals(pin, actual))
                ? null
                : $"the certificate's public key (SPKI SHA-256 {Convert.ToHexString(actual)}) is not pinned";
        });
    }

    /// <summary>
    /// Accepts certificates that chain to one of <paramref name="roots"/> (X.509 path validation by the platform, at the
    /// server's time, revocation not checked). The platform cannot validate SM2-signed chains: use pinned keys for those.
    /// </summary>
    public static ClientCertificatePolicy TrustedRoots(X509Certificate2Collection roots)
    {
        ArgumentNullException.ThrowIfNull(roots);
        if (roots.Count == 0)
        {
            throw new ArgumentException("at least one root is needed", nameof(roots));
        }

        return new((certificate, now) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(roots);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationTime = now.UtcDateTime;
            chain.ChainPolicy.VerificationTimeIgnored = false;
            return chain.Build(certificate)
                ? null
                : "the certificate does not chain to a trusted root: " + string.Join("; ", chain.ChainStatus.Select(s => s.Status.ToString()).Distinct());
        });
    }

    /// <summary>A caller-defined check: return null to accept, or the reason to reject (it goes into the error message).</summary>
    public static ClientCertificatePolicy Custom(Func<X509Certificate2, DateTimeOffset, string?> validator)
    {
        ArgumentNullException.ThrowIfNull(validator);
        return new(validator);
    }

    /// <summary>Null when acceptable at <paramref name="now"/>, else why not.</summary>
    internal string? Check(X509Certificate2 certificate, DateTimeOffset now)
    {
        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
        {
            return $"the certificate is valid {certificate.NotBefore.ToUniversalTime():O}..{certificate.NotAfter.ToUniversalTime():O}, not at {now.UtcDateTime:O}";
        }

        return _check(certificate, now);
    }
}
