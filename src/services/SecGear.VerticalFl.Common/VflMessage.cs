using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace SecGear.VerticalFl;

/// <summary>
/// The application messages inside a follower's secure channel (each one record, so AEAD and sequence numbers already
/// reject tampering, replay and reordering; the round numbers here reject stale or out-of-turn messages on top).
/// Layout, little-endian, first byte the type:
/// <list type="bullet">
/// <item><c>1 Hello: u8 nameLength | name | u16 embeddingDim</c> (follower to enclave)</item>
/// <item><c>2 Embeddings: u64 round | u8 phase (0 train, 1 evaluate) | 32-byte SHA-256 of the batch ids | u32 rows | u32 dim | rows x dim float32</c></item>
/// <item><c>3 GradientRequest: u64 round</c></item>
/// <item><c>0x81 Welcome: u8 partyIndex | u64 nextRound | i32 checkpointEpoch | u16 planLength | plan (TrainingPlan's binary form)</c> (enclave to follower)</item>
/// <item><c>0x82 Gradient: u64 round | u32 rows | u32 dim | rows x dim float32</c></item>
/// <item><c>0xFF Error: i16 status | u16 length | UTF-8 reason</c></item>
/// </list>
/// </summary>
public abstract record VflMessage
{
    /// <summary>The binary form.</summary>
    public abstract byte[] Encode();

    /// <summary>Parses one message; throws <see cref="VerticalFlException"/> (<see cref="VflStatus.InvalidInput"/>) for anything malformed.</summary>
    public static VflMessage Decode(ReadOnlySpan<byte> data)
    {
        var reader = new VflReader(data);
        byte type = reader.U8();
        VflMessage message = type switch
        {
            1 => new HelloMessage(reader.Utf8(reader.U8()), reader.U16()),
            2 => DecodeEmbeddings(ref reader),
            3 => new GradientRequestMessage(reader.U64()),
            0x81 => new WelcomeMessage(reader.U8(), reader.U64(), unchecked((int)reader.U32()), reader.Bytes(reader.U16()).ToArray()),
            0x82 => DecodeGradient(ref reader),
            0xFF => new ErrorMessage((VflStatus)(short)reader.U16(), reader.Utf8(reader.U16())),
            _ => throw new VerticalFlException(VflStatus.InvalidInput, $"unknown message type {type}"),
        };
        reader.End();
        return message;
    }

    private static EmbeddingsMessage DecodeEmbeddings(ref VflReader reader)
    {
        ulong round = reader.U64();
        byte phase = reader.U8();
        if (phase > 1)
        {
            throw new VerticalFlException(VflStatus.InvalidInput, $"phase {phase} is not 0 (train) or 1 (evaluate)");
        }

        byte[] idsHash = reader.Bytes(32).ToArray();
        (int rows, int dim) = Shape(ref reader);
        return new EmbeddingsMessage(round, phase == 0, idsHash, rows, dim, reader.Floats((long)rows * dim));
    }

    private static GradientMessage DecodeGradient(ref VflReader reader)
    {
        ulong round = reader.U64();
        (int rows, int dim) = Shape(ref reader);
        return new GradientMessage(round, rows, dim, reader.Floats((long)rows * dim));
    }

    private static (int Rows, int Dim) Shape(ref VflReader reader)
    {
        uint rows = reader.U32();
        uint dim = reader.U32();
        if (rows is 0 or > TrainingPlan.MaxBatchLimit || dim is 0 or > TrainingPlan.MaxWidth)
        {
            throw new VerticalFlException(VflStatus.InvalidInput, $"shape {rows} x {dim} is outside 1..{TrainingPlan.MaxBatchLimit} x 1..{TrainingPlan.MaxWidth}");
        }

        return ((int)rows, (int)dim);
    }

    /// <summary>Writes a header then the float32 payload.</summary>
    private protected static byte[] WithFloats(ReadOnlySpan<byte> header, ReadOnlySpan<float> values)
    {
        var bytes = new byte[header.Length + (values.Length * 4)];
        header.CopyTo(bytes);
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values).CopyTo(bytes.AsSpan(header.Length));
        }
        else
        {
            for (int i = 0; i < values.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(header.Length + (i * 4)), values[i]);
            }
        }

        return bytes;
    }
}
