using System.Buffers.Binary;
using System.Text;

namespace SecGear.EncryptedDb;

/// <summary>Reads what <see cref="BigEndianWriter"/> wrote, treating every byte as hostile: bounds and counts are checked.</summary>
public ref struct BigEndianReader
{
    private readonly ReadOnlySpan<byte> _bytes;
    private int _offset;

    /// <summary>Reads <paramref name="bytes"/> from the start.</summary>
    public BigEndianReader(ReadOnlySpan<byte> bytes)
    {
        _bytes = bytes;
        _offset = 0;
    }

    /// <summary>Bytes not read yet.</summary>
    public readonly int Remaining => _bytes.Length - _offset;

    /// <summary>Reads one byte.</summary>
    public byte U8() => Take(1)[0];

    /// <summary>Reads a 16-bit unsigned integer.</summary>
    public ushort U16() => BinaryPrimitives.ReadUInt16BigEndian(Take(2));

    /// <summary>Reads a 32-bit signed integer.</summary>
    public int I32() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    /// <summary>Reads a 64-bit signed integer.</summary>
    public long I64() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    /// <summary>Reads a count and checks it against <paramref name="max"/>.</summary>
    public int Count(int max, string what)
    {
        int count = U16();
        if (count > max)
        {
            throw Malformed($"{count} {what} (at most {max})");
        }

        return count;
    }

    /// <summary>Reads exactly <paramref name="length"/> bytes.</summary>
    public ReadOnlySpan<byte> Raw(int length) => Take(length);

    /// <summary>Reads bytes with a 32-bit length prefix.</summary>
    public ReadOnlySpan<byte> Bytes()
    {
        int length = I32();
        if (length < 0)
        {
            throw Malformed($"a negative length {length}");
        }

        return Take(length);
    }

    /// <summary>Reads a UTF-8 string with a 16-bit length prefix.</summary>
    public string Text()
    {
        ReadOnlySpan<byte> bytes = Take(U16());
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Malformed("a string that is not valid UTF-8");
        }
    }

    /// <summary>Reads a nullable value.</summary>
    public object? Value()
    {
        int length = I32();
        if (length == -1)
        {
            return null;
        }

        if (length < 0)
        {
            throw Malformed($"a value length of {length}");
        }

        return ValueCodec.Decode(Take(length));
    }

    /// <summary>Checks that everything was read (no trailing bytes).</summary>
    public readonly void End()
    {
        if (Remaining != 0)
        {
            throw Malformed($"{Remaining} trailing bytes");
        }
    }

    /// <summary>An error for bytes that break the format.</summary>
    public static EncryptedDbException Malformed(string what) => new(EncryptedDbFailureCode.Malformed, $"malformed message: {what}");

    private ReadOnlySpan<byte> Take(int length)
    {
        if (length < 0 || length > Remaining)
        {
            throw Malformed($"{length} bytes wanted, {Remaining} left");
        }

        ReadOnlySpan<byte> slice = _bytes.Slice(_offset, length);
        _offset += length;
        return slice;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);
}
