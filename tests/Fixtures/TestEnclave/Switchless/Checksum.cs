using System.Numerics;
using System.Runtime.InteropServices;

namespace SecGear.Tests.TestEnclave.Switchless;

/// <summary>
/// The fixture's checksum: the wrapping sum of the buffer's little-endian 64-bit words (a zero-padded tail counts
/// as one more word). Vectorised, so a benchmark of it measures moving the bytes rather than the arithmetic.
/// </summary>
public static class Checksum
{
    public static long Of(ReadOnlySpan<byte> data)
    {
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(data);
        var vector = Vector<ulong>.Zero;
        int i = 0;
        for (; i + Vector<ulong>.Count <= words.Length; i += Vector<ulong>.Count)
        {
            vector += new Vector<ulong>(words[i..]);
        }

        ulong sum = Vector.Sum(vector);
        for (; i < words.Length; i++)
        {
            sum += words[i];
        }

        int tail = data.Length % 8;
        if (tail > 0)
        {
            ulong last = 0;
            data[^tail..].CopyTo(MemoryMarshal.AsBytes(new Span<ulong>(ref last)));
            sum += last;
        }

        return (long)sum;
    }
}
