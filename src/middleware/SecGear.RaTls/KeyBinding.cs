using System.Security.Cryptography;

namespace SecGear.RaTls;

/// <summary>The binding between evidence and certificate: report data = SHA-256(SubjectPublicKeyInfo DER), then zeros.</summary>
internal static class KeyBinding
{
    public static byte[] ReportData(ReadOnlySpan<byte> subjectPublicKeyInfo) => SHA256.HashData(subjectPublicKeyInfo);

    /// <summary>Constant-time: the first 32 bytes equal the hash and every later byte is zero.</summary>
    public static bool Matches(ReadOnlySpan<byte> reportData, ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        Span<byte> expected = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(subjectPublicKeyInfo, expected);
        if (reportData.Length < expected.Length)
        {
            return false;
        }

        bool prefix = CryptographicOperations.FixedTimeEquals(reportData[..expected.Length], expected);
        return prefix & !reportData[expected.Length..].ContainsAnyExcept((byte)0);
    }
}
