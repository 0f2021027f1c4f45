namespace SecGear.VerticalFl;

/// <summary>How a follower takes part in a run.</summary>
public sealed record FollowerOptions
{
    /// <summary>The party's name in the plan.</summary>
    public required string Party { get; init; }

    /// <summary>The party's place in the plan (its bottom network's initialisation stream).</summary>
    public required int PartyIndex { get; init; }

    /// <summary>The follower's features.</summary>
    public required FollowerData Data { get; init; }

    /// <summary>The leader's gRPC address, e.g. http://127.0.0.1:5090.</summary>
    public required Uri Leader { get; init; }

    /// <summary>What the follower accepts as the split-layer enclave.</summary>
    public required EnclaveTrust Trust { get; init; }

    /// <summary>Embedding width (must match the plan).</summary>
    public int EmbeddingDim { get; init; } = 8;

    /// <summary>Initialisation seed (must match the plan).</summary>
    public uint Seed { get; init; } = 7;

    /// <summary>SGD learning rate of the bottom network (must match the plan).</summary>
    public float LearningRate { get; init; } = 0.1f;

    /// <summary>Where the bottom network's epoch checkpoints are kept, so a restarted follower can resume; null keeps them in memory only.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Test and audit hook: called with every embedding batch sent and every gradient received, in plaintext, on the follower.</summary>
    public Action<string, ulong, float[]>? Observer { get; init; }
}
