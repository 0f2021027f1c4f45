using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace SecGear.EncryptedDb;

/// <summary>Writes the big-endian, length-prefixed encoding used by plans, messages and results.</summary>
public sealed class BigEndianWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new();

    /// <summary>Bytes written so far.</summary>
    public int Length => _buffer.WrittenCount;

    /// <summary>The bytes written.</summary>
    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    /// <summary>Writes one byte.</summary>
    public void U8(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    /// <summary>Writes a 16-bit unsigned integer.</summary>
    public void U16(int value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer.GetSpan(2), checked((ushort)value));
        _buffer.Advance(2);
    }

    /// <summary>Writes a 32-bit signed integer.</summary>
    public void I32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    /// <summary>Writes a 64-bit signed integer.</summary>
    public void I64(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    /// <summary>Writes bytes with no prefix.</summary>
    public void Raw(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    /// <summary>Writes bytes with a 32-bit length prefix.</summary>
    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        I32(bytes.Length);
        _buffer.Write(bytes);
    }

    /// <summary>Writes a UTF-8 string with a 16-bit length prefix.</summary>
    public void Text(string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        U16(bytes.Length);
        _buffer.Write(bytes);
    }

    /// <summary>Writes a nullable value: length -1 for NULL, else its <see cref="ValueCodec"/> encoding.</summary>
    public void Value(object? value)
    {
        if (value is null)
        {
            I32(-1);
        }
        else
        {
            Bytes(ValueCodec.Encode(value));
        }
    }
}
