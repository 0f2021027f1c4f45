using System.Buffers.Binary;

namespace SecGear.VerticalFl;

/// <summary>The enclave accepted a follower's Hello.</summary>
public sealed record WelcomeMessage(int PartyIndex, ulong NextRound) : VflMessage
{
    /// <inheritdoc />
    public override byte[] Encode()
    {
        var bytes = new byte[10];
        bytes[0] = 0x81;
        bytes[1] = checked((byte)PartyIndex);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(2), NextRound);
        return bytes;
    }
}
