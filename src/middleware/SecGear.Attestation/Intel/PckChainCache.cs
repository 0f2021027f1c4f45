using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.Attestation.X509;

namespace SecGear.Attestation.Intel;

/// <summary>
/// Parsed PCK chains keyed by SHA-256 of the certification data, so a platform's chain (the same bytes in every quote
/// it produces) is decoded once. Holds parsing only: every check still runs on each verification (signatures through
/// <see cref="SignatureCache"/>). Bounded; cleared when full.
/// </summary>
internal sealed class PckChainCache
{
    private const int Capacity = 1024;
    private readonly ConcurrentDictionary<string, IReadOnlyList<X509Certificate2>> _chains = new(StringComparer.Ordinal);

    /// <summary>The certificates of a PEM chain. Throws <see cref="CryptographicException"/> when malformed (never cached).</summary>
    public IReadOnlyList<X509Certificate2> Read(ReadOnlySpan<byte> certificationData)
    {
        var key = Convert.ToHexString(SHA256.HashData(certificationData));
        if (_chains.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var parsed = PemCertificates.Read(certificationData);
        if (_chains.Count >= Capacity)
        {
            _chains.Clear();
        }

        _chains.TryAdd(key, parsed);
        return parsed;
    }
}
