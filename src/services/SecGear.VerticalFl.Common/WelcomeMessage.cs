using System.Buffers.Binary;

namespace SecGear.VerticalFl;

/// <summary>
/// The enclave accepted a follower's Hello: the party index its authenticated key is bound to, the round training
/// continues at, the epoch of the checkpoint the enclave is at (-1: the initial parameters), and the plan the enclave
/// runs (its binary form), which the follower compares with the plan its own operator configured.
/// </summary>
public sealed record WelcomeMessage(int PartyIndex, ulong NextRound, int CheckpointEpoch, byte[] Plan) : VflMessage
{
    /// <inheritdoc />
    public override byte[] Encode()
    {
        var bytes = new byte[1 + 1 + 8 + 4 + 2 + Plan.Length];
        bytes[0] = 0x81;
        bytes[1] = checked((byte)PartyIndex);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(2), NextRound);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(10), CheckpointEpoch);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(14), checked((ushort)Plan.Length));
        Plan.CopyTo(bytes, 16);
        return bytes;
    }
}
