using System.Buffers.Binary;

namespace SecGear.VerticalFl;

/// <summary>The gradient of the loss with respect to one follower's embeddings of a round (row-major).</summary>
public sealed record GradientMessage(ulong Round, int Rows, int Dim, float[] Values) : VflMessage
{
    /// <inheritdoc />
    public override byte[] Encode()
    {
        Span<byte> header = stackalloc byte[1 + 8 + 4 + 4];
        header[0] = 0x82;
        BinaryPrimitives.WriteUInt64LittleEndian(header[1..], Round);
        BinaryPrimitives.WriteUInt32LittleEndian(header[9..], (uint)Rows);
        BinaryPrimitives.WriteUInt32LittleEndian(header[13..], (uint)Dim);
        return WithFloats(header, Values);
    }
}
