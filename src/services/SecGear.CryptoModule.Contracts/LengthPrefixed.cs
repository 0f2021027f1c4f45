using System.Buffers.Binary;

namespace SecGear.CryptoModule;

/// <summary>
/// Little-endian length-prefixed fields, shared by the enclave request format and the binary transport. Readers check
/// every length against what remains (both sides parse hostile input).
/// </summary>
internal static class LengthPrefixed
{
    /// <summary>Writes <c>length(4) value</c> at <paramref name="offset"/>; answers the offset after it.</summary>
    public static int Put32(Span<byte> destination, int offset, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination[offset..], value.Length);
        value.CopyTo(destination[(offset + 4)..]);
        return offset + 4 + value.Length;
    }

    /// <summary>Reads a <c>length(4) value</c> field at <paramref name="offset"/>; false when it runs past the end.</summary>
    public static bool TryTake32Range(ReadOnlySpan<byte> source, scoped ref int offset, out Range value)
    {
        value = default;
        if (source.Length - offset < 4)
        {
            return false;
        }

        int length = BinaryPrimitives.ReadInt32LittleEndian(source[offset..]);
        if (length < 0 || source.Length - offset - 4 < length)
        {
            return false;
        }

        value = new Range(offset + 4, offset + 4 + length);
        offset += 4 + length;
        return true;
    }

    /// <summary><see cref="TryTake32Range"/> answering a slice of the span.</summary>
    public static bool TryTake32(ReadOnlySpan<byte> source, scoped ref int offset, out ReadOnlySpan<byte> value)
    {
        bool ok = TryTake32Range(source, ref offset, out Range range);
        value = ok ? source[range] : default;
        return ok;
    }

    /// <summary><see cref="TryTake32Range"/> answering a slice of the memory.</summary>
    public static bool TryTake32(ReadOnlyMemory<byte> source, scoped ref int offset, out ReadOnlyMemory<byte> value)
    {
        bool ok = TryTake32Range(source.Span, ref offset, out Range range);
        value = ok ? source[range] : default;
        return ok;
    }

    /// <summary>Writes <c>length(2) value</c> at <paramref name="offset"/>; answers the offset after it.</summary>
    public static int Put16(Span<byte> destination, int offset, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(destination[offset..], (ushort)value.Length);
        value.CopyTo(destination[(offset + 2)..]);
        return offset + 2 + value.Length;
    }

    /// <summary>Reads a <c>length(2) value</c> field at <paramref name="offset"/>; false when it runs past the end.</summary>
    public static bool TryTake16(ReadOnlySpan<byte> source, scoped ref int offset, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (source.Length - offset < 2)
        {
            return false;
        }

        int length = BinaryPrimitives.ReadUInt16LittleEndian(source[offset..]);
        if (source.Length - offset - 2 < length)
        {
            return false;
        }

        value = source.Slice(offset + 2, length);
        offset += 2 + length;
        return true;
    }
}
