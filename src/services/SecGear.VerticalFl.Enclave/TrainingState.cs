using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace SecGear.VerticalFl.Enclave;

/// <summary>
/// One training run inside the enclave: the layers, the round in progress, the embeddings received for it, the
/// gradients waiting for their follower, and the last epoch checkpoint. Rounds are numbered from 0 and advance by
/// exactly one: every message and call must name the round in progress, so a stale or replayed one is refused even
/// when it is a fresh record. Callers hold the enclave's lock.
/// </summary>
internal sealed class TrainingState
{
    private readonly SplitLayer _split;
    private readonly TopLayer? _top;
    private readonly EmbeddingsMessage?[] _embeddings;
    private readonly GradientMessage?[] _gradients;
    private Forwarded? _forwarded;
    private (int Epoch, ulong Round, float[][] Split, float[]? Top) _checkpoint;

    public TrainingState(TrainingPlan plan)
    {
        Plan = plan;
        _split = new SplitLayer(plan);
        _top = plan.Mode == TrainingMode.Strict ? new TopLayer(plan) : null;
        _embeddings = new EmbeddingsMessage?[plan.Parties.Count];
        _gradients = new GradientMessage?[plan.Parties.Count];
        _checkpoint = (-1, 0, _split.Snapshot(), _top?.Snapshot());
    }

    public TrainingPlan Plan { get; }

    /// <summary>The round in progress.</summary>
    public ulong Round { get; private set; }

    /// <summary>The epoch of the last checkpoint (-1: the initial parameters).</summary>
    public int CheckpointEpoch => _checkpoint.Epoch;

    public int? PartyIndex(string name)
    {
        for (int i = 0; i < Plan.Parties.Count; i++)
        {
            if (Plan.Parties[i].Name == name)
            {
                return i;
            }
        }

        return null;
    }

    public void Accept(int party, EmbeddingsMessage message)
    {
        CheckRound(message.Round, "embeddings");
        if (_gradients[party] is { } pending)
        {
            throw new VerticalFlException(VflStatus.NotReady, $"party '{Plan.Parties[party].Name}' has not fetched its gradient of round {pending.Round}");
        }

        if (_embeddings[party] is not null || _forwarded is not null)
        {
            throw new VerticalFlException(VflStatus.WrongRound, $"party '{Plan.Parties[party].Name}' already sent its embeddings of round {Round}");
        }

        int dim = Plan.Parties[party].EmbeddingDim;
        int maxRows = message.Train ? Plan.BatchSize : Plan.MaxBatch;
        if (message.Dim != dim || message.Rows > maxRows)
        {
            throw new VerticalFlException(VflStatus.InvalidInput, $"{(message.Train ? "training" : "evaluation")} embeddings of {message.Rows} x {message.Dim}; the plan allows up to {maxRows} x {dim}");
        }

        foreach (EmbeddingsMessage? other in _embeddings)
        {
            if (other is not null && (other.Rows != message.Rows || other.Train != message.Train || !CryptographicOperations.FixedTimeEquals(other.IdsHash, message.IdsHash)))
            {
                throw new VerticalFlException(VflStatus.Misaligned, $"party '{Plan.Parties[party].Name}' sent a different batch (ids, size or phase) than another party for round {Round}");
            }
        }

        _embeddings[party] = message;
    }

    public float[] Forward(ulong round, byte[] ids)
    {
        (EmbeddingsMessage[] batch, int rows) = Ready(round, ids);
        var z = new float[rows * Plan.Hidden];
        var a = new float[rows * Plan.Hidden];
        _split.Forward(batch.Select(e => e.Values).ToArray(), rows, z, a);
        if (batch[0].Train)
        {
            _forwarded = new Forwarded(batch, rows, z);
        }
        else
        {
            EndRound();
        }

        return a;
    }

    public void Backward(ulong round, byte[] grad)
    {
        CheckRound(round, "backward");
        Forwarded forwarded = _forwarded
            ?? throw new VerticalFlException(VflStatus.NotReady, $"round {Round} has no training forward to go back through");
        if (grad.Length != forwarded.Rows * Plan.Hidden * 4)
        {
            throw new VerticalFlException(VflStatus.InvalidInput, $"the gradient is {grad.Length} bytes; round {Round} needs {forwarded.Rows} x {Plan.Hidden} float32");
        }

        float[] gradActivation = MemoryMarshal.Cast<byte, float>(grad).ToArray();
        if (!Array.TrueForAll(gradActivation, float.IsFinite))
        {
            throw new VerticalFlException(VflStatus.NotFinite, "the gradient holds a value that is not finite");
        }

        Finish(forwarded, gradActivation);
    }

    public float[] StrictStep(ulong round, byte[] ids, byte[] labels)
    {
        (EmbeddingsMessage[] batch, int rows) = Ready(round, ids);
        bool train = batch[0].Train;
        if (train ? labels.Length != rows : labels.Length != 0)
        {
            throw new VerticalFlException(VflStatus.InvalidInput, train ? $"a training round needs {rows} labels, got {labels.Length}" : "an evaluation round takes no labels");
        }

        if (Array.Exists(labels, l => l > 1))
        {
            throw new VerticalFlException(VflStatus.InvalidInput, "a label is not 0 or 1");
        }

        var z = new float[rows * Plan.Hidden];
        var a = new float[rows * Plan.Hidden];
        _split.Forward(batch.Select(e => e.Values).ToArray(), rows, z, a);
        var probabilities = new float[rows];
        TopLayer top = _top ?? throw new VerticalFlException(VflStatus.WrongMode, "split-layer mode: the top layer runs on the host");
        top.Predict(a, rows, probabilities);
        if (!train)
        {
            EndRound();
            return probabilities;
        }

        (float[] gradActivation, _) = top.Backward(a, probabilities, labels, Plan.LearningRate);
        Finish(new Forwarded(batch, rows, z), gradActivation);
        return probabilities;
    }

    public GradientMessage TakeGradient(int party, ulong round)
    {
        GradientMessage gradient = _gradients[party] is { } pending && pending.Round == round
            ? pending
            : throw new VerticalFlException(VflStatus.WrongRound, $"party '{Plan.Parties[party].Name}' has no gradient waiting for round {round}");
        _gradients[party] = null;
        return gradient;
    }

    public void Checkpoint(int epoch)
    {
        if (_forwarded is not null || Array.Exists(_embeddings, e => e is not null) || Array.Exists(_gradients, g => g is not null))
        {
            throw new VerticalFlException(VflStatus.NotReady, $"round {Round} is still in progress; a checkpoint is taken between rounds");
        }

        if (epoch <= _checkpoint.Epoch)
        {
            throw new VerticalFlException(VflStatus.WrongRound, $"epoch {epoch} is not after the last checkpoint's epoch {_checkpoint.Epoch}");
        }

        _checkpoint = (epoch, Round, _split.Snapshot(), _top?.Snapshot());
    }

    /// <summary>
    /// The last checkpoint as bytes (to be sealed): <c>i32 epoch | u64 round | u32 blockCount | blockCount x (u32 count |
    /// count float32)</c>, the split layer's blocks then, in strict mode, the top layer's.
    /// </summary>
    public byte[] ExportCheckpoint()
    {
        float[][] blocks = _checkpoint.Top is { } top ? [.. _checkpoint.Split, top] : _checkpoint.Split;
        var bytes = new byte[4 + 8 + 4 + blocks.Sum(b => 4 + (b.Length * 4))];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, _checkpoint.Epoch);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(4), _checkpoint.Round);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), (uint)blocks.Length);
        int offset = 16;
        foreach (float[] block in blocks)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(offset), (uint)block.Length);
            MemoryMarshal.AsBytes(block.AsSpan()).CopyTo(bytes.AsSpan(offset + 4));
            offset += 4 + (block.Length * 4);
        }

        return bytes;
    }

    /// <summary>
    /// Makes an <see cref="ExportCheckpoint"/> of a run of the same plan the last checkpoint (the caller rolls back to it
    /// next). Every shape is checked against this plan's layers before anything changes.
    /// </summary>
    public void ImportCheckpoint(ReadOnlySpan<byte> bytes)
    {
        float[][] expected = _checkpoint.Top is { } top ? [.. _checkpoint.Split, top] : _checkpoint.Split;
        if (bytes.Length < 16)
        {
            throw Rejected($"the checkpoint is {bytes.Length} bytes, shorter than its header");
        }

        int epoch = BinaryPrimitives.ReadInt32LittleEndian(bytes);
        ulong round = BinaryPrimitives.ReadUInt64LittleEndian(bytes[4..]);
        if (epoch < 0 || BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]) != (uint)expected.Length)
        {
            throw Rejected("the checkpoint's epoch or layer count does not fit this plan");
        }

        var blocks = new float[expected.Length][];
        int offset = 16;
        for (int i = 0; i < expected.Length; i++)
        {
            if (bytes.Length - offset < 4 || BinaryPrimitives.ReadUInt32LittleEndian(bytes[offset..]) != (uint)expected[i].Length || bytes.Length - offset - 4 < expected[i].Length * 4)
            {
                throw Rejected($"the checkpoint's block {i} does not have this plan's shape");
            }

            blocks[i] = MemoryMarshal.Cast<byte, float>(bytes.Slice(offset + 4, expected[i].Length * 4)).ToArray();
            if (!Array.TrueForAll(blocks[i], float.IsFinite))
            {
                throw new VerticalFlException(VflStatus.NotFinite, "the checkpoint holds a value that is not finite");
            }

            offset += 4 + (expected[i].Length * 4);
        }

        if (offset != bytes.Length)
        {
            throw Rejected($"{bytes.Length - offset} bytes follow the checkpoint");
        }

        _checkpoint = _top is null ? (epoch, round, blocks, null) : (epoch, round, blocks[..^1], blocks[^1]);
    }

    public int Rollback()
    {
        _split.Restore(_checkpoint.Split);
        if (_checkpoint.Top is { } top)
        {
            _top!.Restore(top);
        }

        Round = _checkpoint.Round;
        Array.Clear(_embeddings);
        Array.Clear(_gradients);
        _forwarded = null;
        return _checkpoint.Epoch;
    }

    private (EmbeddingsMessage[] Batch, int Rows) Ready(ulong round, byte[] ids)
    {
        CheckRound(round, "forward");
        if (_forwarded is not null)
        {
            throw new VerticalFlException(VflStatus.WrongRound, $"round {Round} was already forwarded");
        }

        var batch = new EmbeddingsMessage[_embeddings.Length];
        for (int k = 0; k < _embeddings.Length; k++)
        {
            batch[k] = _embeddings[k]
                ?? throw new VerticalFlException(VflStatus.NotReady, $"party '{Plan.Parties[k].Name}' has not sent its embeddings of round {Round}");
        }

        if (ids.Length != batch[0].Rows * 4 || !CryptographicOperations.FixedTimeEquals(SHA256.HashData(ids), batch[0].IdsHash))
        {
            throw new VerticalFlException(VflStatus.Misaligned, $"the host's ids for round {Round} are not the ids the followers embedded");
        }

        return (batch, batch[0].Rows);
    }

    private void Finish(Forwarded forwarded, float[] gradActivation)
    {
        float[][] gradEmbeddings = _split.Backward(forwarded.Batch.Select(e => e.Values).ToArray(), forwarded.Rows, forwarded.PreActivation, gradActivation, Plan.LearningRate);
        for (int k = 0; k < gradEmbeddings.Length; k++)
        {
            if (!Array.TrueForAll(gradEmbeddings[k], float.IsFinite))
            {
                throw new VerticalFlException(VflStatus.NotFinite, "training diverged: a gradient is not finite");
            }
        }

        for (int k = 0; k < gradEmbeddings.Length; k++)
        {
            _gradients[k] = new GradientMessage(Round, forwarded.Rows, Plan.Parties[k].EmbeddingDim, gradEmbeddings[k]);
        }

        EndRound();
    }

    private void EndRound()
    {
        Array.Clear(_embeddings);
        _forwarded = null;
        Round++;
    }

    private void CheckRound(ulong round, string what)
    {
        if (round != Round)
        {
            throw new VerticalFlException(VflStatus.WrongRound, $"{what} names round {round}; round {Round} is in progress");
        }
    }

    private static VerticalFlException Rejected(string reason) => new(VflStatus.CheckpointRejected, reason);

    private sealed record Forwarded(EmbeddingsMessage[] Batch, int Rows, float[] PreActivation);
}
