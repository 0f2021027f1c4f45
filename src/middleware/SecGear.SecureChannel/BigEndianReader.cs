using System.Buffers.Binary;

namespace SecGear.SecureChannel;

/// <summary>Reads big-endian fields from a message body; any overrun is a <see cref="SecureChannelFailureCode.MalformedMessage"/>.</summary>
internal ref struct BigEndianReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private readonly string _message;

    public BigEndianReader(ReadOnlySpan<byte> buffer, string message)
    {
        _buffer = buffer;
        _message = message;
    }

    public int Position { get; private set; }

    public ReadOnlySpan<byte> Bytes(int count)
    {
        if (count < 0 || count > _buffer.Length - Position)
        {
            throw Wire.Fail(SecureChannelFailureCode.MalformedMessage, $"{_message} is truncated: {count} bytes needed at offset {Position}, {_buffer.Length - Position} left");
        }

        var slice = _buffer.Slice(Position, count);
        Position += count;
        return slice;
    }

    public byte U8() => Bytes(1)[0];

    public ushort U16() => BinaryPrimitives.ReadUInt16BigEndian(Bytes(2));

    public uint U32() => BinaryPrimitives.ReadUInt32BigEndian(Bytes(4));

    public ulong U64() => BinaryPrimitives.ReadUInt64BigEndian(Bytes(8));

    public readonly void End()
    {
        if (Position != _buffer.Length)
        {
            throw Wire.Fail(SecureChannelFailureCode.MalformedMessage, $"{_message} has {_buffer.Length - Position} trailing bytes");
        }
    }
}
