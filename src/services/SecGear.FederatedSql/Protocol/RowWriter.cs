using System.Buffers.Binary;
using System.Text;

namespace SecGear.FederatedSql.Protocol;

/// <summary>
/// Writes values in the federation's row encoding: one tag byte, then the value (little-endian). Tags: 0 NULL,
/// 1 BIGINT (8 bytes), 2 DECIMAL (16 bytes, <see cref="decimal.GetBits(decimal)"/>), 3 DOUBLE (8), 4 VARCHAR (u32 length +
/// UTF-8), 5 DATE (i32 day number), 6 BOOLEAN (1). See docs/federated-sql.md, "Wire formats".
/// </summary>
public sealed class RowWriter
{
    private byte[] _buffer;

    /// <summary>Creates a writer with an initial capacity.</summary>
    public RowWriter(int capacity = 4096) => _buffer = new byte[Math.Max(capacity, 64)];

    /// <summary>The bytes written so far.</summary>
    public int Length { get; private set; }

    /// <summary>The written bytes.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, Length);

    /// <summary>Forgets what was written.</summary>
    public void Clear() => Length = 0;

    /// <summary>The written bytes, copied.</summary>
    public byte[] ToArray() => WrittenSpan.ToArray();

    /// <summary>Writes raw bytes.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Grow(bytes.Length));

    /// <summary>Writes a byte.</summary>
    public void WriteByte(byte value) => Grow(1)[0] = value;

    /// <summary>Writes a 32-bit unsigned integer.</summary>
    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Grow(4), value);

    /// <summary>Writes a 64-bit unsigned integer.</summary>
    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Grow(8), value);

    /// <summary>Writes one value; throws <see cref="FederatedSqlException"/> for a type outside the subset.</summary>
    public void WriteValue(object? value)
    {
        switch (value)
        {
            case null:
                WriteByte(0);
                break;
            case long l:
                WriteByte(1);
                BinaryPrimitives.WriteInt64LittleEndian(Grow(8), l);
                break;
            case decimal d:
                WriteByte(2);
                Span<int> bits = stackalloc int[4];
                decimal.GetBits(d, bits);
                var target = Grow(16);
                for (int i = 0; i < 4; i++)
                {
                    BinaryPrimitives.WriteInt32LittleEndian(target[(i * 4)..], bits[i]);
                }

                break;
            case double f:
                WriteByte(3);
                BinaryPrimitives.WriteDoubleLittleEndian(Grow(8), f);
                break;
            case string s:
                WriteByte(4);
                int length = Encoding.UTF8.GetByteCount(s);
                WriteUInt32((uint)length);
                Encoding.UTF8.GetBytes(s, Grow(length));
                break;
            case DateOnly date:
                WriteByte(5);
                BinaryPrimitives.WriteInt32LittleEndian(Grow(4), date.DayNumber);
                break;
            case bool b:
                WriteByte(6);
                WriteByte(b ? (byte)1 : (byte)0);
                break;
            default:
                throw new FederatedSqlException(FederatedSqlFailureCode.OutsideSubset, $"a {value.GetType().Name} value cannot be sent; the subset has BIGINT, DECIMAL, DOUBLE, VARCHAR, DATE and BOOLEAN");
        }
    }

    private Span<byte> Grow(int count)
    {
        if (Length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + count));
        }

        var span = _buffer.AsSpan(Length, count);
        Length += count;
        return span;
    }
}
