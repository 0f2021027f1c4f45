using System.Buffers.Binary;
using System.Text;

namespace SecGear.FederatedSql.Protocol;

/// <summary>
/// Reads the row encoding of <see cref="RowWriter"/>. Every length and tag is checked before use: a malformed message
/// gives <see cref="FederatedSqlException"/> (<see cref="FederatedSqlFailureCode.PartialResultRejected"/>), never a crash.
/// </summary>
public ref struct RowReader
{
    /// <summary>The longest string value accepted.</summary>
    public const int MaxStringBytes = 64 * 1024;

    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    /// <summary>Reads from <paramref name="data"/>.</summary>
    public RowReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    /// <summary>Whether every byte was read.</summary>
    public readonly bool AtEnd => _position == _data.Length;

    /// <summary>Reads raw bytes.</summary>
    public ReadOnlySpan<byte> ReadBytes(int count) => Take(count);

    /// <summary>Reads every byte left.</summary>
    public ReadOnlySpan<byte> ReadRest() => Take(_data.Length - _position);

    /// <summary>Reads a byte.</summary>
    public byte ReadByte() => Take(1)[0];

    /// <summary>Reads a 32-bit unsigned integer.</summary>
    public uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    /// <summary>Reads a 64-bit unsigned integer.</summary>
    public ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    /// <summary>Reads one value.</summary>
    public object? ReadValue()
    {
        byte tag = ReadByte();
        switch (tag)
        {
            case 0:
                return null;
            case 1:
                return BinaryPrimitives.ReadInt64LittleEndian(Take(8));
            case 2:
                var bytes = Take(16);
                Span<int> bits = stackalloc int[4];
                for (int i = 0; i < 4; i++)
                {
                    bits[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[(i * 4)..]);
                }

                // decimal's constructor rejects bad flag bits (scale > 28, stray bits) with ArgumentException.
                try
                {
                    return new decimal(bits);
                }
                catch (ArgumentException)
                {
                    throw Fail("a DECIMAL value is malformed");
                }

            case 3:
                return BinaryPrimitives.ReadDoubleLittleEndian(Take(8));
            case 4:
                uint length = ReadUInt32();
                if (length > MaxStringBytes)
                {
                    throw Fail($"a VARCHAR value of {length} bytes is longer than the {MaxStringBytes} accepted");
                }

                try
                {
                    return new UTF8Encoding(false, true).GetString(Take((int)length));
                }
                catch (DecoderFallbackException)
                {
                    throw Fail("a VARCHAR value is not valid UTF-8");
                }

            case 5:
                int day = BinaryPrimitives.ReadInt32LittleEndian(Take(4));
                return day >= DateOnly.MinValue.DayNumber && day <= DateOnly.MaxValue.DayNumber
                    ? DateOnly.FromDayNumber(day)
                    : throw Fail("a DATE value is out of range");
            case 6:
                return Take(1)[0] switch
                {
                    0 => false,
                    1 => true,
                    _ => throw Fail("a BOOLEAN value is neither 0 nor 1"),
                };
            default:
                throw Fail($"unknown value tag {tag}");
        }
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > _data.Length - _position)
        {
            throw Fail($"the message ends early ({count} bytes wanted at offset {_position}, {_data.Length - _position} left)");
        }

        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }

    private static FederatedSqlException Fail(string message) => new(FederatedSqlFailureCode.PartialResultRejected, "malformed partial result: " + message);
}
