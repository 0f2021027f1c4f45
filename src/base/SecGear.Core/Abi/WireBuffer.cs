using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace SecGear.Abi;

/// <summary>
/// A growable byte buffer that generated code serialises arguments into (little-endian, fixed-size scalars,
/// <c>uint32</c> length prefixes). Instances are pooled per thread (<see cref="Rent"/> / <see cref="Return"/>) so a
/// call allocates nothing in steady state; nested calls (ECALL → OCALL → ECALL) each rent their own.
/// </summary>
public sealed class WireBuffer : IBufferWriter<byte>
{
    /// <summary>Length prefix that marks a null string.</summary>
    public const uint NullLength = uint.MaxValue;

    private const int PoolDepth = 8;
    private const int RetainLimit = 1 << 20;

    [ThreadStatic]
    private static WireBuffer?[]? t_pool;

    private byte[] _buffer;
    private int _written;

    /// <summary>Creates an empty buffer with the given initial capacity.</summary>
    public WireBuffer(int initialCapacity = 256)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        _buffer = initialCapacity == 0 ? [] : new byte[initialCapacity];
    }

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    /// <summary>The bytes written so far.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    /// <summary>Number of bytes written so far.</summary>
    public int WrittenCount => _written;

    /// <summary>Takes a cleared buffer from this thread's pool (or a new one).</summary>
    public static WireBuffer Rent()
    {
        WireBuffer?[]? pool = t_pool;
        if (pool is not null)
        {
            for (int i = 0; i < pool.Length; i++)
            {
                WireBuffer? b = pool[i];
                if (b is not null)
                {
                    pool[i] = null;
                    return b;
                }
            }
        }

        return new WireBuffer();
    }

    /// <summary>Clears the buffer and gives it back to this thread's pool. Do not use it afterwards.</summary>
    public void Return()
    {
        // Clear what was written: buffers may have carried enclave secrets.
        _buffer.AsSpan(0, _written).Clear();
        _written = 0;
        if (_buffer.Length > RetainLimit)
        {
            return;
        }

        WireBuffer?[] pool = t_pool ??= new WireBuffer?[PoolDepth];
        for (int i = 0; i < pool.Length; i++)
        {
            if (pool[i] is null)
            {
                pool[i] = this;
                return;
            }
        }
    }

    /// <summary>Forgets what was written (and clears it).</summary>
    public void Clear()
    {
        _buffer.AsSpan(0, _written).Clear();
        _written = 0;
    }

    /// <inheritdoc />
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > _buffer.Length - _written)
        {
            throw new InvalidOperationException("Advanced past the end of the buffer.");
        }

        _written += count;
    }

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <summary>Writes one byte.</summary>
    public void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_written++] = value;
    }

    /// <summary>Writes a boolean as one byte (0 or 1).</summary>
    public void WriteBoolean(bool value) => WriteByte(value ? (byte)1 : (byte)0);

    /// <summary>Writes a signed byte.</summary>
    public void WriteSByte(sbyte value) => WriteByte(unchecked((byte)value));

    /// <summary>Writes a little-endian 16-bit integer.</summary>
    public void WriteInt16(short value) => BinaryPrimitives.WriteInt16LittleEndian(Take(2), value);

    /// <summary>Writes a little-endian 16-bit unsigned integer.</summary>
    public void WriteUInt16(ushort value) => BinaryPrimitives.WriteUInt16LittleEndian(Take(2), value);

    /// <summary>Writes a little-endian 32-bit integer.</summary>
    public void WriteInt32(int value) => BinaryPrimitives.WriteInt32LittleEndian(Take(4), value);

    /// <summary>Writes a little-endian 32-bit unsigned integer.</summary>
    public void WriteUInt32(uint value) => BinaryPrimitives.WriteUInt32LittleEndian(Take(4), value);

    /// <summary>Writes a little-endian 64-bit integer.</summary>
    public void WriteInt64(long value) => BinaryPrimitives.WriteInt64LittleEndian(Take(8), value);

    /// <summary>Writes a little-endian 64-bit unsigned integer.</summary>
    public void WriteUInt64(ulong value) => BinaryPrimitives.WriteUInt64LittleEndian(Take(8), value);

    /// <summary>Writes a little-endian IEEE 754 single.</summary>
    public void WriteSingle(float value) => BinaryPrimitives.WriteSingleLittleEndian(Take(4), value);

    /// <summary>Writes a little-endian IEEE 754 double.</summary>
    public void WriteDouble(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Take(8), value);

    /// <summary>Writes raw bytes with no length prefix.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Take(bytes.Length));
    }

    /// <summary>Writes a <c>uint32</c> length prefix followed by the bytes.</summary>
    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        WriteUInt32((uint)bytes.Length);
        WriteRaw(bytes);
    }

    /// <summary>Writes a string as a <c>uint32</c> UTF-8 byte count and the bytes (no terminator); null as <see cref="NullLength"/>.</summary>
    public void WriteUtf8String(string? value)
    {
        if (value is null)
        {
            WriteUInt32(NullLength);
            return;
        }

        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        Take(4);
        int lengthOffset = _written - 4;
        Ensure(max);
        int n = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_written));
        _written += n;
        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(lengthOffset, 4), (uint)n);
    }

    /// <summary>Writes a string as a <c>uint32</c> UTF-16 code-unit count and the units (little-endian); null as <see cref="NullLength"/>.</summary>
    public void WriteUtf16String(string? value)
    {
        if (value is null)
        {
            WriteUInt32(NullLength);
            return;
        }

        WriteUInt32((uint)value.Length);
        Span<byte> dest = Take(checked(value.Length * 2));
        ReadOnlySpan<byte> src = MemoryMarshal.AsBytes(value.AsSpan());
        if (BitConverter.IsLittleEndian)
        {
            src.CopyTo(dest);
        }
        else
        {
            for (int i = 0; i < value.Length; i++)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(dest.Slice(i * 2), value[i]);
            }
        }
    }

    /// <summary>Writes an unmanaged value (a blittable EDL struct) in its in-memory layout.</summary>
    public void WriteStruct<T>(in T value)
        where T : unmanaged
    {
        MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)).CopyTo(Take(Unsafe.SizeOf<T>()));
    }

    /// <summary>Writes a <c>uint32</c> element count followed by the elements in their in-memory layout.</summary>
    public void WriteArray<T>(ReadOnlySpan<T> values)
        where T : unmanaged
    {
        WriteUInt32((uint)values.Length);
        WriteRaw(MemoryMarshal.AsBytes(values));
    }

    private Span<byte> Take(int count)
    {
        Ensure(count);
        Span<byte> span = _buffer.AsSpan(_written, count);
        _written += count;
        return span;
    }

    private void Ensure(int sizeHint)
    {
        if (sizeHint < 1)
        {
            sizeHint = 1;
        }

        if (_buffer.Length - _written >= sizeHint)
        {
            return;
        }

        long needed = (long)_written + sizeHint;
        if (needed > Array.MaxLength)
        {
            throw new PayloadTooLargeException($"A call payload cannot exceed {Array.MaxLength} bytes.");
        }

        long grown = Math.Max(needed, Math.Max(256L, (long)_buffer.Length * 2));
        byte[] next = new byte[Math.Min(grown, Array.MaxLength)];
        _buffer.AsSpan(0, _written).CopyTo(next);
        _buffer.AsSpan(0, _written).Clear();
        _buffer = next;
    }
}
