using System.Buffers.Binary;
using System.Text;

namespace SecGear.VerticalFl;

/// <summary>
/// What a vertical training run is: mode, layer widths, seed, learning rate, batch sizes, and the followers (names,
/// feature split, embedding widths, channel keys). The leader's host hands it to the enclave (vfl_configure), which
/// checks every field against <see cref="TrainingPlan"/>'s limits and shows it to every follower inside its attested
/// channel (Welcome); a follower refuses a plan that differs from the one its own operator configured. Binary layout,
/// little-endian: <c>u8 version(2) | u8 mode | u32 seed | f32 learningRate | u16 hidden | u16 maxBatch | u16 batchSize |
/// u8 partyCount | partyCount x (u8 nameLength | name | u16 features | u16 embeddingDim | 32-byte clientKeySha256)</c>.
/// </summary>
public sealed record TrainingPlan
{
    /// <summary>The version of the binary form.</summary>
    public const byte Version = 2;

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

    /// <summary>The most rows in one round (evaluation rounds use this size).</summary>
    public int MaxBatch { get; init; } = 256;

    /// <summary>Rows per training round (the enclave refuses larger training batches; at most <see cref="MaxBatch"/>).</summary>
    public int BatchSize { get; init; } = 32;

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

        if (BatchSize < 1 || BatchSize > MaxBatch)
        {
            throw Invalid($"batch size {BatchSize} is not in 1..{MaxBatch} (the max batch)");
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

            if (party.Features is < 1 or > ushort.MaxValue)
            {
                throw Invalid($"party '{party.Name}': {party.Features} features is not in 1..{ushort.MaxValue}");
            }

            if (party.ClientKeySha256 is not { Length: 32 })
            {
                throw Invalid($"party '{party.Name}': the channel key pin is not a 32-byte SHA-256");
            }
        }
    }

    /// <summary>The binary form (validated first).</summary>
    public byte[] Encode()
    {
        Validate();
        var buffer = new List<byte> { Version, (byte)Mode };
        Span<byte> scratch = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(scratch, Seed);
        buffer.AddRange(scratch.ToArray());
        BinaryPrimitives.WriteSingleLittleEndian(scratch, LearningRate);
        buffer.AddRange(scratch.ToArray());
        BinaryPrimitives.WriteUInt16LittleEndian(scratch, (ushort)Hidden);
        buffer.AddRange(scratch[..2].ToArray());
        BinaryPrimitives.WriteUInt16LittleEndian(scratch, (ushort)MaxBatch);
        buffer.AddRange(scratch[..2].ToArray());
        BinaryPrimitives.WriteUInt16LittleEndian(scratch, (ushort)BatchSize);
        buffer.AddRange(scratch[..2].ToArray());
        buffer.Add((byte)Parties.Count);
        foreach (PartySpec party in Parties)
        {
            byte[] name = Encoding.UTF8.GetBytes(party.Name);
            buffer.Add((byte)name.Length);
            buffer.AddRange(name);
            BinaryPrimitives.WriteUInt16LittleEndian(scratch, (ushort)party.Features);
            buffer.AddRange(scratch[..2].ToArray());
            BinaryPrimitives.WriteUInt16LittleEndian(scratch, (ushort)party.EmbeddingDim);
            buffer.AddRange(scratch[..2].ToArray());
            buffer.AddRange(party.ClientKeySha256);
        }

        return [.. buffer];
    }

    /// <summary>
    /// Null when <paramref name="other"/> is the same plan (same binary form), else the first field that differs, named
    /// with both values (keys as their SHA-256 pins, which are not secret).
    /// </summary>
    public string? DifferenceFrom(TrainingPlan other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Encode().AsSpan().SequenceEqual(other.Encode()))
        {
            return null;
        }

        string? field =
            Mode != other.Mode ? $"mode {other.Mode}, expected {Mode}"
            : Seed != other.Seed ? $"seed {other.Seed}, expected {Seed}"
            : BitConverter.SingleToInt32Bits(LearningRate) != BitConverter.SingleToInt32Bits(other.LearningRate) ? $"learning rate {other.LearningRate}, expected {LearningRate}"
            : Hidden != other.Hidden ? $"hidden width {other.Hidden}, expected {Hidden}"
            : MaxBatch != other.MaxBatch ? $"max batch {other.MaxBatch}, expected {MaxBatch}"
            : BatchSize != other.BatchSize ? $"batch size {other.BatchSize}, expected {BatchSize}"
            : Parties.Count != other.Parties.Count ? $"{other.Parties.Count} parties, expected {Parties.Count}"
            : null;
        if (field is not null)
        {
            return field;
        }

        for (int i = 0; i < Parties.Count; i++)
        {
            PartySpec mine = Parties[i];
            PartySpec theirs = other.Parties[i];
            string? party =
                mine.Name != theirs.Name ? $"party {i} is '{theirs.Name}', expected '{mine.Name}'"
                : mine.Features != theirs.Features ? $"party '{mine.Name}' reads {theirs.Features} features, expected {mine.Features}"
                : mine.EmbeddingDim != theirs.EmbeddingDim ? $"party '{mine.Name}' sends {theirs.EmbeddingDim}-wide embeddings, expected {mine.EmbeddingDim}"
                : !mine.ClientKeySha256.AsSpan().SequenceEqual(theirs.ClientKeySha256) ? $"party '{mine.Name}' authenticates with key {Convert.ToHexStringLower(theirs.ClientKeySha256)}, expected {Convert.ToHexStringLower(mine.ClientKeySha256)}"
                : null;
            if (party is not null)
            {
                return party;
            }
        }

        return "the binary forms differ";
    }

    /// <summary>Parses and validates the binary form; throws <see cref="VerticalFlException"/> for anything malformed.</summary>
    public static TrainingPlan Decode(ReadOnlySpan<byte> data)
    {
        var reader = new VflReader(data);
        if (reader.U8() is var version && version != Version)
        {
            throw Invalid($"plan version {version} is not {Version}");
        }

        var mode = (TrainingMode)reader.U8();
        uint seed = reader.U32();
        float rate = reader.F32();
        int hidden = reader.U16();
        int maxBatch = reader.U16();
        int batchSize = reader.U16();
        int count = reader.U8();
        if (count > MaxParties)
        {
            throw Invalid($"{count} parties; a plan has 1..{MaxParties}");
        }

        var parties = new List<PartySpec>(count);
        for (int i = 0; i < count; i++)
        {
            string name = reader.Utf8(reader.U8());
            int features = reader.U16();
            int dim = reader.U16();
            parties.Add(new PartySpec(name, dim) { Features = features, ClientKeySha256 = reader.Bytes(32).ToArray() });
        }

        reader.End();
        var plan = new TrainingPlan { Mode = mode, Seed = seed, LearningRate = rate, Hidden = hidden, MaxBatch = maxBatch, BatchSize = batchSize, Parties = parties };
        plan.Validate();
        return plan;
    }

    private static VerticalFlException Invalid(string message) => new(VflStatus.InvalidInput, "training plan: " + message);
}
