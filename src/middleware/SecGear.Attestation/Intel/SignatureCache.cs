using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.Attestation.X509;

namespace SecGear.Attestation.Intel;

/// <summary>
/// Remembers signatures that verified (certificate, CRL and collateral signatures, which repeat across quotes), keyed
/// by SHA-256 over the signed bytes, the signature and the signer's public key — so a cache hit proves the same
/// bytes verified before with the same key. Failures are never cached. Bounded; cleared when full.
/// </summary>
internal sealed class SignatureCache
{
    private const int Capacity = 4096;
    private readonly ConcurrentDictionary<string, byte> _verified = new(StringComparer.Ordinal);

    /// <summary>True when a certificate or CRL is signed by <paramref name="issuer"/>'s P-256 key (ecdsa-with-SHA256).</summary>
    public bool IsSignedBy(SignedData signed, X509Certificate2 issuer)
    {
        // The outer algorithm is not covered by the signature, so it is checked on every call, never via the cache.
        if (signed.Algorithm != SignedData.EcdsaWithSha256)
        {
            return false;
        }

        var key = Key(signed.ToBeSigned.Span, signed.Signature, issuer);
        if (_verified.ContainsKey(key))
        {
            return true;
        }

        using var publicKey = P256Key(issuer);
        return publicKey is not null && signed.IsSignedBy(publicKey) && Remember(key);
    }

    /// <summary>True when a raw r‖s ECDSA P-256/SHA-256 signature over <paramref name="data"/> verifies with <paramref name="signer"/>'s key.</summary>
    public bool IsSignedBy(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, X509Certificate2 signer)
    {
        var key = Key(data, signature, signer);
        if (_verified.ContainsKey(key))
        {
            return true;
        }

        using var publicKey = P256Key(signer);
        return publicKey is not null
            && publicKey.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            && Remember(key);
    }

    /// <summary>The certificate's public key when it is ECDSA P-256, else null.</summary>
    public static ECDsa? P256Key(X509Certificate2 certificate)
    {
        var key = certificate.GetECDsaPublicKey();
        if (key is null || key.KeySize != 256)
        {
            key?.Dispose();
            return null;
        }

        return key;
    }

    private bool Remember(string key)
    {
        if (_verified.Count >= Capacity)
        {
            _verified.Clear();
        }

        _verified.TryAdd(key, 0);
        return true;
    }

    private static string Key(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature, X509Certificate2 signer)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Append(hash, data);
        Append(hash, signature);
        Append(hash, signer.PublicKey.EncodedKeyValue.RawData);
        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static void Append(IncrementalHash hash, ReadOnlySpan<byte> part)
    {
        Span<byte> length = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, part.Length);
        hash.AppendData(length);
        hash.AppendData(part);
    }
}
