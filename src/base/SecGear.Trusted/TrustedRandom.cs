using System.Security.Cryptography;

namespace SecGear.Trusted;

/// <summary>Cryptographically secure random bytes for enclave code (secGear's <c>cc_enclave_generate_random</c>).</summary>
public static class TrustedRandom
{
    /// <summary>Fills <paramref name="destination"/> with random bytes.</summary>
    public static void Fill(Span<byte> destination) => RandomNumberGenerator.Fill(destination);

    /// <summary>Returns <paramref name="count"/> random bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    public static byte[] GetBytes(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return RandomNumberGenerator.GetBytes(count);
    }
}
