using System.Buffers.Binary;

namespace SecGear.VerticalFl;

/// <summary>A follower asks for its gradient of a training round.</summary>
public sealed record GradientRequestMessage(ulong Round) : VflMessage
{
    /// <inheritdoc />
    public override byte[] Encode()
    {
        var bytes = new byte[9];
        bytes[0] = 3;
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(1), Round);
        return bytes;
    }
}
