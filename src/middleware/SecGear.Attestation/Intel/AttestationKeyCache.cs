using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace SecGear.Attestation.Intel;

/// <summary>
/// Imported attestation public keys, keyed by their 64 bytes: a platform's quoting enclave signs every quote with the
/// same key until it restarts, and importing (with its on-curve check) costs about twice a verification. Keys are
/// public; each is used under its own lock because an <see cref="ECDsa"/> instance is not documented thread-safe.
/// Bounded: when full, new keys are imported per call and not kept.
/// </summary>
internal sealed class AttestationKeyCache
{
    private const int Capacity = 1024;
    private readonly ConcurrentDictionary<string, ECDsa> _keys = new(StringComparer.Ordinal);

    /// <summary>
    /// Verifies a raw r‖s ECDSA P-256/SHA-256 signature with the attestation key x‖y. Returns null when the key is not
    /// a valid P-256 point, else whether the signature verifies.
    /// </summary>
    public bool? Verify(ReadOnlySpan<byte> attestationKey, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        var id = Convert.ToHexString(attestationKey);
        if (!_keys.TryGetValue(id, out var key))
        {
            try
            {
                key = ECDsa.Create(new ECParameters
                {
                    Curve = ECCurve.NamedCurves.nistP256,
                    Q = new ECPoint { X = attestationKey[..32].ToArray(), Y = attestationKey[32..].ToArray() },
                });
            }
            catch (CryptographicException)
            {
                return null;
            }

            if (_keys.Count >= Capacity || !_keys.TryAdd(id, key))
            {
                using (key)
                {
                    return key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
                }
            }
        }

        lock (key)
        {
            return key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
    }
}
