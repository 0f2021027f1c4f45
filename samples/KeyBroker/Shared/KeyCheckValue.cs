using System.Security.Cryptography;

namespace KeyBroker;

/// <summary>
/// A key check value: HMAC-SHA-256 keyed with the secret over a fixed label, first 8 bytes. Shows that two parties hold
/// the same secret without showing the secret (or a plain hash a short secret could be guessed from).
/// </summary>
public static class KeyCheckValue
{
    /// <summary>Length of a key check value.</summary>
    public const int Length = 8;

    /// <summary>The key check value of <paramref name="secret"/>.</summary>
    public static byte[] Compute(ReadOnlySpan<byte> secret) => HMACSHA256.HashData(secret, "secgear-keybroker key check value"u8)[..Length];
}
