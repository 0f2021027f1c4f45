using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SecGear.Attestation.AmdSevSnp;

/// <summary>
/// Remembers certificate links (subject signed by issuer) that verified, keyed by SHA-256 over both certificates' DER,
/// so warm verifications skip the RSA-4096 / P-384 chain signatures that repeat across evidence. Only successes are
/// stored; validity periods are still checked on every call. Bounded; cleared when full.
/// </summary>
internal sealed class VerifiedLinkCache
{
    private const int Capacity = 1024;
    private readonly ConcurrentDictionary<string, byte> _verified = new(StringComparer.Ordinal);

    /// <summary>True when the link verified before or <paramref name="check"/> verifies it now.</summary>
    public bool IsSignedBy(X509Certificate2 subject, X509Certificate2 issuer, Func<X509Certificate2, X509Certificate2, bool> check)
    {
        var key = Key(subject, issuer);
        if (_verified.ContainsKey(key))
        {
            return true;
        }

        if (!check(subject, issuer))
        {
            return false;
        }

        if (_verified.Count >= Capacity)
        {
            _verified.Clear();
        }

        _verified.TryAdd(key, 0);
        return true;
    }

    private static string Key(X509Certificate2 subject, X509Certificate2 issuer)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, subject.RawDataMemory.Length);
        hash.AppendData(length);
        hash.AppendData(subject.RawDataMemory.Span);
        hash.AppendData(issuer.RawDataMemory.Span);
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}
