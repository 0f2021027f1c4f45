using System.Buffers.Binary;
using System.Security.Cryptography;

namespace SecGear.AttestationService;

/// <summary>
/// How evidence is bound to a challenge: report data =
/// <c>SHA-256("secgear-as v1" 0x00 | len(nonce) u32be | nonce | len(runtime data) u32be | runtime data)</c>
/// followed by 32 zero bytes (64 bytes in all). The lengths make the encoding unambiguous; the label keeps the hash
/// apart from every other binding in SecGear (secure channel, RA-TLS).
/// </summary>
public static class ReportDataBinding
{
    /// <summary>Length of the report data this binding produces.</summary>
    public const int Length = 64;

    private static ReadOnlySpan<byte> Label => "secgear-as v1\0"u8;

    /// <summary>The 64-byte report data the enclave must put in its evidence.</summary>
    public static byte[] Compute(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> runtimeData)
    {
        var reportData = new byte[Length];
        Hash(nonce, runtimeData, reportData);
        return reportData;
    }

    /// <summary>Constant time: true when <paramref name="reportData"/> is exactly the binding of the two inputs.</summary>
    public static bool Matches(ReadOnlySpan<byte> reportData, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> runtimeData)
    {
        if (reportData.Length != Length)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[Length];
        expected.Clear();
        Hash(nonce, runtimeData, expected);
        return CryptographicOperations.FixedTimeEquals(reportData, expected);
    }

    private static void Hash(ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> runtimeData, Span<byte> destination)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        hash.AppendData(Label);
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)nonce.Length);
        hash.AppendData(length);
        hash.AppendData(nonce);
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)runtimeData.Length);
        hash.AppendData(length);
        hash.AppendData(runtimeData);
        hash.GetHashAndReset(destination[..SHA256.HashSizeInBytes]);
    }
}
