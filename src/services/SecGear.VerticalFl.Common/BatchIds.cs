using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace SecGear.VerticalFl;

/// <summary>The binding of a batch to its rows: every party hashes the sample ids it used, and the enclave compares.</summary>
public static class BatchIds
{
    /// <summary>SHA-256 over the ids as int32 little-endian.</summary>
    public static byte[] Hash(ReadOnlySpan<int> ids) => SHA256.HashData(ToBytes(ids));

    /// <summary>The ids as int32 little-endian bytes (the form vfl_forward takes).</summary>
    public static byte[] ToBytes(ReadOnlySpan<int> ids)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("vertical FL wire formats assume a little-endian machine");
        }

        return MemoryMarshal.AsBytes(ids).ToArray();
    }
}
