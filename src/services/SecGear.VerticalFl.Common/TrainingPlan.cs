using System.Buffers.Binary;
using System.Text;

namespace SecGear.VerticalFl;

/// <summary>
/// What the split-layer enclave needs to run: mode, layer widths, seed and learning rate. The leader's host hands it
/// over (vfl_configure); the enclave checks every field against <see cref="TrainingPlan"/>'s limits. Binary layout,
/// little-endian: <c>u8 version(1) | u8 mode | u32 seed | f32 learningRate | u16 hidden | u16 maxBatch |
/// u8 partyCount | partyCount x (u8 nameLength | name | u16 embeddingDim)</c>.
/// </summary>
public sealed record TrainingPlan
{
    /// <summary>The largest number of followers.</summary>
    public const int MaxParties = 8;

    /// <summary>The largest layer width.</summary>
    public const int MaxWidth = 1024;

    /// <summary>The largest batch (rows per round).</summary>
    public const int MaxBatchLimit = 4096;

    /// <summary>Split layer only, or top layer and loss in the enclave too.</summary>
    public TrainingMode Mode { get; init; } = TrainingMode.SplitLayer;

    /// <summary>Seed of the deterministic parameter initialisation (<see cref="ParameterInit"/>).</summary>
    public uint Seed { get; init; } = 7;

    /// <summary>Learning rate of plain SGD, the optimiser of every party and of the enclave.</summary>
    public float LearningRate { get; init; } = 0.1f;

    /// <summary>Width of the fused (split) layer's output.</summary>
    public int Hidden { get; init; } = 8;

    /// <summary>The most rows in one round.</summary>
    public int MaxBatch { get; init; } = 256;

    /// <summary>The followers, in the order their blocks appear in the fused layer's weight.</summary>
    public IReadOnlyList<PartySpec> Parties { get; init; } = [];

    /// <summary>Checks every field; throws <see cref="VerticalFlException"/> (<see cref="VflStatus.InvalidInput"/>) naming the first bad one.</summary>
    public void Validate()
    {
        if (Mode is not (TrainingMode.SplitLayer or TrainingMode.Strict))
        {
            throw Invalid($"mode {(int)Mode} is not 1 (split layer) or 2 (strict)");
        }

        if (!float.IsFinite(LearningRate) || LearningRate <= 0 || LearningRate > 10)
        {
            throw Invalid($"learning rate {LearningRate} is not in (0, 10]");
        }

        if (Hidden is < 1 or > MaxWidth)
        {
            throw Invalid($"hidden width {Hidden} is not in 1..{MaxWidth}");
        }

        if (MaxBatch is < 1 or > MaxBatchLimit)
        {
            throw Invalid($"max batch {MaxBatch} is not in 1..{MaxBatchLimit}");
        }

        if (Parties.Count is < 1 or > MaxParties)
        {
            throw Invalid($"{Parties.Count} parties; a plan has 1..{MaxParties}");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (PartySpec party in Parties)
        {
            int length = Encoding.UTF8.GetByteCount(party.Name);
            if (length is < 1 or > 64 || party.Name.Any(char.IsControl))
            {
                throw Invalid("a party name is 1..64 UTF-8 bytes without control characters");
            }

            if (!names.Add(party.Name))
            {
                throw Invalid($"party '{party.Name}' appears twice");
            }

            if (party.EmbeddingDim is < 1 or > MaxWidth)
            {
                throw Invalid($"party '{party.Name}': embedding width {party.EmbeddingDim} is not in 1..{MaxWidth}");
            }
        }
    }

    /// <summary>The binary form (validated first).</summary>
    public byte[] Encode()
    {
        Validate();
        var buffer = new List<byte> { 1, (byte)Mode };
        Span<byte> scratch = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(scratch, Seed);
        buffer.AddRange(scratch.ToArray());
        BinaryPrimitives.WriteSingleLittleEndian(scratch, LearningRate);
        buffer.AddRange(scratch.ToArray());
        BinaryPrimitives.WriteUInt16LittleEndian(scratch, (ushort)Hidden);
        buffer.AddRange(scratch[..2].ToArray());
        BinaryPrimitives.WriteUInt16LittleEndian(scratch, (ushort)MaxBatch);
        buffer.AddRange(scratch[..2].ToArray());
        buffer.Add((byte)Parties.Count);
        foreach (PartySpec party in Parties)
        {
            byte[] name = Encoding.UTF8.GetBytes(party.Name);
            buffer.Add((byte)name.Length);
            buffer.AddRange(name);
            BinaryPrimitives.WriteUInt16LittleEndian(scratch, (ushort)party.EmbeddingDim);
            buffer.AddRange(scratch[..2].ToArray());
        }

        return [.. buffer];
    }

    /// <summary>Parses and validates the binary form; throws <see cref="VerticalFlException"/> for anything malformed.</summary>
    public static TrainingPlan Decode(ReadOnlySpan<byte> data)
    {
        var reader = new WireReader(data);
        if (reader.U8() != 1)
        {
            throw Invalid("plan version is not 1");
        }

        var mode = (TrainingMode)reader.U8();
        uint seed = reader.U32();
        float rate = reader.F32();
        int hidden = reader.U16();
        int maxBatch = reader.U16();
        int count = reader.U8();
        if (count > MaxParties)
        {
            throw Invalid($"{count} parties; a plan has 1..{MaxParties}");
        }

        var parties = new List<PartySpec>(count);
        for (int i = 0; i < count; i++)
        {
            string name = reader.Utf8(reader.U8());
            parties.Add(new PartySpec(name, reader.U16()));
        }

        reader.End();
        var plan = new TrainingPlan { Mode = mode, Seed = seed, LearningRate = rate, Hidden = hidden, MaxBatch = maxBatch, Parties = parties };
        plan.Validate();
        return plan;
    }

    private static VerticalFlException Invalid(string message) => new(VflStatus.InvalidInput, "training plan: " + message);
}
