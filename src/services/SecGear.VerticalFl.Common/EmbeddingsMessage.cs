using System.Buffers.Binary;

namespace SecGear.VerticalFl;

/// <summary>A follower's bottom-network output for one round's batch (row-major).</summary>
public sealed record EmbeddingsMessage(ulong Round, bool Train, byte[] IdsHash, int Rows, int Dim, float[] Values) : VflMessage
{
    /// <inheritdoc />
    public override byte[] Encode()
    {
        Span<byte> header = stackalloc byte[1 + 8 + 1 + 32 + 4 + 4];
        header[0] = 2;
        BinaryPrimitives.WriteUInt64LittleEndian(header[1..], Round);
        header[9] = Train ? (byte)0 : (byte)1;
        IdsHash.CopyTo(header[10..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[42..], (uint)Rows);
        BinaryPrimitives.WriteUInt32LittleEndian(header[46..], (uint)Dim);
        return WithFloats(header, Values);
    }
}
