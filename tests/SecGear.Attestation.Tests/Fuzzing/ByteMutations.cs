using System.Buffers.Binary;

namespace SecGear.Attestation.Tests.Fuzzing;

/// <summary>Format-blind mutations: truncation, bit flips, byte overwrites, insertions, deletions, appended bytes.</summary>
internal static class ByteMutations
{
    public static byte[] Truncate(Random random, byte[] data) => data[..random.Next(data.Length)];

    public static byte[] FlipBits(Random random, byte[] data)
    {
        var copy = (byte[])data.Clone();
        for (int k = random.Next(1, 4); k > 0; k--)
        {
            copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
        }

        return copy;
    }

    public static byte[] OverwriteBytes(Random random, byte[] data)
    {
        var copy = (byte[])data.Clone();
        int at = random.Next(copy.Length);
        int length = Math.Min(copy.Length - at, random.Next(1, 9));
        byte fill = (byte)(random.Next(3) switch { 0 => 0x00, 1 => 0xff, _ => random.Next(256) });
        copy.AsSpan(at, length).Fill(fill);
        return copy;
    }

    public static byte[] InsertOrDelete(Random random, byte[] data)
    {
        int at = random.Next(data.Length);
        if (random.Next(2) == 0)
        {
            int length = Math.Min(data.Length - at, random.Next(1, 17));
            return [.. data.AsSpan(0, at), .. data.AsSpan(at + length)];
        }

        var extra = new byte[random.Next(1, 17)];
        random.NextBytes(extra);
        return [.. data.AsSpan(0, at), .. extra, .. data.AsSpan(at)];
    }

    public static byte[] Append(Random random, byte[] data)
    {
        var extra = new byte[random.Next(1, 64)];
        random.NextBytes(extra);
        return [.. data, .. extra];
    }

    /// <summary>One of the format-blind mutations, chosen at random.</summary>
    public static byte[] Any(Random random, byte[] data) => data.Length == 0 ? [(byte)random.Next(256)] : random.Next(5) switch
    {
        0 => Truncate(random, data),
        1 => FlipBits(random, data),
        2 => OverwriteBytes(random, data),
        3 => InsertOrDelete(random, data),
        _ => Append(random, data),
    };

    /// <summary>A value for a length or count field: 0, 1, off by one, all ones, huge, or random.</summary>
    public static ulong BoundaryValue(Random random, ulong current, int width)
    {
        ulong max = width >= 8 ? ulong.MaxValue : (1UL << (8 * width)) - 1;
        ulong value = random.Next(7) switch
        {
            0 => 0,
            1 => 1,
            2 => current + 1,
            3 => current - 1,
            4 => max,
            5 => max / 2,
            _ => (ulong)random.NextInt64(),
        };
        return value & max;
    }

    /// <summary>Sets the little-endian field of <paramref name="width"/> bytes at <paramref name="offset"/> to a boundary value.</summary>
    public static byte[] SetLittleEndianField(Random random, byte[] data, int offset, int width)
    {
        var copy = (byte[])data.Clone();
        if (offset + width > copy.Length)
        {
            return Truncate(random, copy);
        }

        ulong current = width switch
        {
            2 => BinaryPrimitives.ReadUInt16LittleEndian(copy.AsSpan(offset)),
            4 => BinaryPrimitives.ReadUInt32LittleEndian(copy.AsSpan(offset)),
            _ => BinaryPrimitives.ReadUInt64LittleEndian(copy.AsSpan(offset)),
        };
        ulong value = BoundaryValue(random, current, width);
        switch (width)
        {
            case 2: BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(offset), (ushort)value); break;
            case 4: BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(offset), (uint)value); break;
            default: BinaryPrimitives.WriteUInt64LittleEndian(copy.AsSpan(offset), value); break;
        }

        return copy;
    }
}
