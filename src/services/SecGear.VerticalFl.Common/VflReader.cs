using System.Buffers.Binary;
using System.Text;

namespace SecGear.VerticalFl;

/// <summary>Bounds-checked little-endian reader over hostile bytes: every read past the end is a typed error.</summary>
internal ref struct VflReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _offset;

    public byte U8() => Take(1)[0];

    public ushort U16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

    public uint U32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public ulong U64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public float F32() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

    public string Utf8(int length) => Encoding.UTF8.GetString(Take(length));

    public ReadOnlySpan<byte> Bytes(int length) => Take(length);

    /// <summary>Reads <paramref name="count"/> float32 values, refusing NaN and infinities.</summary>
    public float[] Floats(long count)
    {
        if (count < 0 || count * 4 > _data.Length - _offset)
        {
            throw new VerticalFlException(VflStatus.InvalidInput, $"message announces {count} floats but holds {(_data.Length - _offset) / 4}");
        }

        var values = new float[count];
        ReadOnlySpan<byte> raw = Take((int)count * 4);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(i * 4)..]);
            if (!float.IsFinite(values[i]))
            {
                throw new VerticalFlException(VflStatus.NotFinite, "message holds a value that is not finite");
            }
        }

        return values;
    }

    public readonly void End()
    {
        if (_offset != _data.Length)
        {
            throw new VerticalFlException(VflStatus.InvalidInput, $"{_data.Length - _offset} unexpected bytes after the message");
        }
    }

    private ReadOnlySpan<byte> Take(int length)
    {
        if (length < 0 || length > _data.Length - _offset)
        {
            throw new VerticalFlException(VflStatus.InvalidInput, $"message truncated: needs {length} more bytes at offset {_offset}, has {_data.Length - _offset}");
        }

        ReadOnlySpan<byte> slice = _data.Slice(_offset, length);
        _offset += length;
        return slice;
    }
}
