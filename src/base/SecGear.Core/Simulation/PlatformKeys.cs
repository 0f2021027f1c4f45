using System.Security.Cryptography;

namespace SecGear.Simulation;

/// <summary>
/// Keys the simulated platform derives from its secret: the simulated CA key, the platform attestation key, the
/// platform id and local-report MAC keys. Every derivation is HKDF-SHA-256 over the secret with its own label, so
/// one key never reveals another and the same secret gives the same keys on every run.
/// </summary>
internal static class PlatformKeys
{
    public const int ReportKeyLength = 32;

    // The order n of the P-256 group, big-endian.
    private static ReadOnlySpan<byte> P256Order =>
    [
        0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
    ];

    /// <summary>The simulated attestation CA's signing key.</summary>
    public static ECDsa DeriveCaKey(ReadOnlySpan<byte> secret) => DeriveP256(secret, "SecGear.NET/simulated-attestation-ca/v1"u8);

    /// <summary>The platform attestation key that signs evidence.</summary>
    public static ECDsa DeriveAttestationKey(ReadOnlySpan<byte> secret) => DeriveP256(secret, "SecGear.NET/platform-attestation-key/v1"u8);

    /// <summary>The non-secret platform id (the same value <c>secgear platform init</c> prints as the fingerprint).</summary>
    public static byte[] PlatformId(ReadOnlySpan<byte> secret)
    {
        var id = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, id, salt: [], "SecGear.NET/platform-fingerprint/v1"u8);
        return id;
    }

    /// <summary>The key that MACs local reports addressed to the enclave with <paramref name="targetMeasurement"/>.</summary>
    public static void DeriveReportKey(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> targetMeasurement, Span<byte> key)
    {
        ReadOnlySpan<byte> label = "SecGear.NET/report-key/v1\0"u8;
        Span<byte> info = stackalloc byte[label.Length + 32];
        label.CopyTo(info);
        targetMeasurement.CopyTo(info[label.Length..]);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, key, salt: [], info);
    }

    private static ECDsa DeriveP256(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> label)
    {
        // Rejection sampling: a candidate outside [1, n-1] (probability about 2^-32) is replaced by the next counter.
        Span<byte> info = stackalloc byte[label.Length + 1];
        label.CopyTo(info);
        var scalar = new byte[32];
        try
        {
            for (byte counter = 0; ; counter++)
            {
                info[^1] = counter;
                HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, scalar, salt: [], info);
                if (scalar.AsSpan().SequenceCompareTo(P256Order) < 0 && scalar.AsSpan().ContainsAnyExcept((byte)0))
                {
                    // .NET computes the public point Q from D when Q is not given.
                    return ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = scalar });
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(scalar);
        }
    }
}
