using System.Buffers.Binary;
using System.Text;

namespace SecGear.VerticalFl;

/// <summary>A follower binds its session to its party.</summary>
public sealed record HelloMessage(string Party, int EmbeddingDim) : VflMessage
{
    /// <inheritdoc />
    public override byte[] Encode()
    {
        byte[] name = Encoding.UTF8.GetBytes(Party);
        var bytes = new byte[1 + 1 + name.Length + 2];
        bytes[0] = 1;
        bytes[1] = checked((byte)name.Length);
        name.CopyTo(bytes, 2);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 + name.Length), checked((ushort)EmbeddingDim));
        return bytes;
    }
}
