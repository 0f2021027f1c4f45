using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace SecGear.Abi;

/// <summary>
/// Reads what <see cref="WireBuffer"/> wrote. The bytes come from the other side of the boundary and are hostile:
/// every read is bounds-checked and every length is validated against what remains (and a caller-given maximum)
/// before anything is allocated. Failures throw <see cref="MarshalException"/>.
/// </summary>
public ref struct WireReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    /// <summary>Reads from <paramref name="data"/>.</summary>
    public WireReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    /// <summary>Bytes not read yet.</summary>
    public readonly int Remaining => _data.Length - _position;

    /// <summary>Reads one byte.</summary>
    public byte ReadByte() => Take(1)[0];

    /// <summary>Reads a signed byte.</summary>
    public sbyte ReadSByte() => unchecked((sbyte)Take(1)[0]);

    /// <summary>Reads a boolean; anything but 0 or 1 is malformed.</summary>
    public bool ReadBoolean()
    {
        byte b = Take(1)[0];
        return b switch
        {
            0 => false,
            1 => true,
            _ => throw new MarshalException($"A boolean must be 0 or 1, found {b}."),
        };
    }

    /// <summary>Reads a little-endian 16-bit integer.</summary>
    public short ReadInt16() => BinaryPrimitives.ReadInt16LittleEndian(Take(2));

    /// <summary>Reads a little-endian 16-bit unsigned integer.</summary>
    public ushort ReadUInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    /// <summary>Reads a little-endian 32-bit integer.</summary>
    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    /// <summary>Reads a little-endian 32-bit unsigned integer.</summary>
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    /// <summary>Reads a little-endian 64-bit integer.</summary>
    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    /// <summary>Reads a little-endian 64-bit unsigned integer.</summary>
    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    /// <summary>Reads a little-endian IEEE 754 single.</summary>
    public float ReadSingle() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

    /// <summary>Reads a little-endian IEEE 754 double.</summary>
    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    /// <summary>Reads <paramref name="count"/> raw bytes (a view into the source; copy before keeping it).</summary>
    public ReadOnlySpan<byte> ReadRaw(int count)
    {
        if (count < 0)
        {
            throw new MarshalException($"Negative length {count}.");
        }

        return Take(count);
    }

    /// <summary>Reads a <c>uint32</c> length that must not exceed <paramref name="maxLength"/> nor the bytes remaining.</summary>
    public int ReadLength(int maxLength, int elementSize = 1)
    {
        uint length = ReadUInt32();
        if (length > (uint)maxLength)
        {
            throw new MarshalException($"Length {length} exceeds the allowed maximum {maxLength}.");
        }

        if ((ulong)length * (ulong)elementSize > (ulong)Remaining)
        {
            throw new MarshalException($"Length {length} (x{elementSize} bytes) exceeds the {Remaining} bytes remaining.");
        }

        return (int)length;
    }

    /// <summary>Reads a length-prefixed byte block of at most <paramref name="maxLength"/> bytes (a view; copy before keeping it).</summary>
    public ReadOnlySpan<byte> ReadBytes(int maxLength = int.MaxValue)
    {
        int n = ReadLength(maxLength);
        return Take(n);
    }

    /// <summary>
    /// Reads a length-prefixed byte block into <paramref name="destination"/>. The block must not be larger than
    /// the destination (an <c>[out]</c> buffer is never larger than the caller's); returns the bytes copied.
    /// </summary>
    public int ReadBytesInto(Span<byte> destination)
    {
        int n = ReadLength(destination.Length);
        Take(n).CopyTo(destination);
        return n;
    }

    /// <summary>Reads a length-prefixed UTF-8 string of at most <paramref name="maxBytes"/> bytes; invalid UTF-8 or embedded NUL is malformed.</summary>
    public string? ReadUtf8String(int maxBytes = int.MaxValue)
    {
        if (PeekNull())
        {
            return null;
        }

        int n = ReadLength(maxBytes);
        ReadOnlySpan<byte> bytes = Take(n);
        if (bytes.IndexOf((byte)0) >= 0)
        {
            throw new MarshalException("A string contains an embedded NUL.");
        }

        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new MarshalException("A string is not valid UTF-8.");
        }
    }

    /// <summary>Reads a length-prefixed UTF-16 string of at most <paramref name="maxChars"/> code units; embedded NUL is malformed.</summary>
    public string? ReadUtf16String(int maxChars = int.MaxValue / 2)
    {
        if (PeekNull())
        {
            return null;
        }

        int n = ReadLength(maxChars, elementSize: 2);
        ReadOnlySpan<byte> bytes = Take(n * 2);
        return string.Create(n, bytes.ToArray(), static (chars, src) =>
        {
            for (int i = 0; i < chars.Length; i++)
            {
                char c = (char)BinaryPrimitives.ReadUInt16LittleEndian(src.AsSpan(i * 2));
                if (c == '\0')
                {
                    throw new MarshalException("A string contains an embedded NUL.");
                }

                chars[i] = c;
            }
        });
    }

    /// <summary>Reads an unmanaged value (a blittable EDL struct) in its in-memory layout.</summary>
    public T ReadStruct<T>()
        where T : unmanaged
    {
        return MemoryMarshal.Read<T>(Take(Unsafe.SizeOf<T>()));
    }

    /// <summary>Reads a count-prefixed array of at most <paramref name="maxCount"/> unmanaged elements into a new array.</summary>
    public T[] ReadArray<T>(int maxCount = int.MaxValue)
        where T : unmanaged
    {
        int n = ReadLength(maxCount, Unsafe.SizeOf<T>());
        ReadOnlySpan<byte> bytes = Take(n * Unsafe.SizeOf<T>());
        return MemoryMarshal.Cast<byte, T>(bytes).ToArray();
    }

    /// <summary>Reads a count-prefixed array into <paramref name="destination"/>, which bounds the count; returns the count.</summary>
    public int ReadArrayInto<T>(Span<T> destination)
        where T : unmanaged
    {
        int n = ReadLength(destination.Length, Unsafe.SizeOf<T>());
        MemoryMarshal.Cast<byte, T>(Take(n * Unsafe.SizeOf<T>())).CopyTo(destination);
        return n;
    }

    /// <summary>Throws unless every byte has been read (trailing bytes mean the two sides disagree).</summary>
    public readonly void EnsureEnd()
    {
        if (_position != _data.Length)
        {
            throw new MarshalException($"{_data.Length - _position} unexpected trailing bytes.");
        }
    }

    private bool PeekNull()
    {
        if (Remaining >= 4 && BinaryPrimitives.ReadUInt32LittleEndian(_data.Slice(_position)) == WireBuffer.NullLength)
        {
            _position += 4;
            return true;
        }

        return false;
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > _data.Length - _position)
        {
            throw new MarshalException($"Truncated: needed {count} bytes at offset {_position}, {_data.Length - _position} remain.");
        }

        ReadOnlySpan<byte> span = _data.Slice(_position, count);
        _position += count;
        return span;
    }
}
