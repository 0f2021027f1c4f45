using System.Security.Cryptography;

namespace SecGear.Attestation;

/// <summary>
/// Root certificates trusted by SHA-256 fingerprint of their DER encoding. The root itself arrives with the evidence
/// or collateral and is accepted only when its fingerprint is in the set. Immutable; build a new set to add anchors.
/// </summary>
public sealed class TrustAnchors
{
    /// <summary>SHA-256 of the production Intel SGX Root CA certificate (serial 22650CD6..., valid 2018-05-21..2049-12-31).</summary>
    public const string IntelSgxRootCaFingerprint = "44A0196B2B99F889B8E149E95B807A350E7424964399E885A7CBB8CCFAB674D3";

    private readonly HashSet<string> _fingerprints;

    private TrustAnchors(IEnumerable<string> fingerprints)
    {
        _fingerprints = new HashSet<string>(fingerprints.Select(Normalize), StringComparer.Ordinal);
    }

    /// <summary>The production Intel SGX Root CA only.</summary>
    public static TrustAnchors IntelProduction { get; } = new([IntelSgxRootCaFingerprint]);

    /// <summary>The pinned fingerprints (upper-case hex).</summary>
    public IReadOnlyCollection<string> Fingerprints => _fingerprints;

    /// <summary>A set of the given SHA-256 fingerprints (hex, case-insensitive, ':' and spaces ignored).</summary>
    public static TrustAnchors FromFingerprints(IEnumerable<string> fingerprints)
    {
        ArgumentNullException.ThrowIfNull(fingerprints);
        return new TrustAnchors(fingerprints);
    }

    /// <summary>A new set with this set's anchors plus the certificate whose DER encoding is given.</summary>
    public TrustAnchors Add(ReadOnlySpan<byte> certificateDer) =>
        new(_fingerprints.Append(Convert.ToHexString(SHA256.HashData(certificateDer))));

    /// <summary>True when the DER certificate's SHA-256 fingerprint is pinned.</summary>
    public bool Contains(ReadOnlySpan<byte> certificateDer) =>
        _fingerprints.Contains(Convert.ToHexString(SHA256.HashData(certificateDer)));

    private static string Normalize(string fingerprint)
    {
        ArgumentNullException.ThrowIfNull(fingerprint);
        var hex = fingerprint.Replace(":", string.Empty, StringComparison.Ordinal).Replace(" ", string.Empty, StringComparison.Ordinal).ToUpperInvariant();
        if (hex.Length != 64 || !hex.All(Uri.IsHexDigit))
        {
            throw new ArgumentException($"a SHA-256 fingerprint is 64 hex digits; got '{fingerprint}'", nameof(fingerprint));
        }

        return hex;
    }
}
