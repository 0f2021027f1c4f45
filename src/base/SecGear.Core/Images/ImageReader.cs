using System.Buffers.Binary;

namespace SecGear.Images;

/// <summary>Bounds-checked little-endian cursor over an image; running past the end is <see cref="EnclaveImageFailureCode.Truncated"/>.</summary>
internal ref struct ImageReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;

    public int Position { get; private set; }

    public readonly int Remaining => _data.Length - Position;

    public ushort ReadUInt16(string what) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, what));

    public uint ReadUInt32(string what) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, what));

    public ulong ReadUInt64(string what) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, what));

    public ReadOnlySpan<byte> Take(long count, string what)
    {
        if (count < 0 || count > Remaining)
        {
            throw new EnclaveImageException(
                EnclaveImageFailureCode.Truncated,
                $"Enclave image is truncated: {what} needs {count} bytes at offset {Position}, {Remaining} remain.");
        }

        var slice = _data.Slice(Position, (int)count);
        Position += (int)count;
        return slice;
    }
}
