using SecGear.SecureChannel;

namespace SecGear.VerticalFl;

/// <summary>How a follower takes part in a run.</summary>
public sealed record FollowerOptions
{
    /// <summary>The party's name in the plan.</summary>
    public required string Party { get; init; }

    /// <summary>
    /// The plan this follower's operator agreed to (parties and their keys, feature split, widths, seed, learning rate,
    /// batch sizes, mode). The follower takes its own shapes and hyper-parameters from it, and refuses to train when the
    /// enclave shows it a different plan inside the attested channel (<see cref="VflStatus.PlanRejected"/>).
    /// </summary>
    public required TrainingPlan Plan { get; init; }

    /// <summary>
    /// The follower's channel certificate and private key: it proves the party's identity to the enclave inside the
    /// secure channel (the plan pins the SHA-256 of its public key; see <see cref="FollowerIdentity"/>).
    /// </summary>
    public required ClientCredential Credential { get; init; }

    /// <summary>The follower's features.</summary>
    public required FollowerData Data { get; init; }

    /// <summary>The leader's gRPC address, e.g. http://127.0.0.1:5090.</summary>
    public required Uri Leader { get; init; }

    /// <summary>What the follower accepts as the split-layer enclave.</summary>
    public required EnclaveTrust Trust { get; init; }

    /// <summary>Where the bottom network's epoch checkpoints are kept, so a restarted follower can resume; null keeps them in memory only.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Test and audit hook: called with every embedding batch sent and every gradient received, in plaintext, on the follower.</summary>
    public Action<string, ulong, float[]>? Observer { get; init; }

    /// <summary>The party's place in the plan; throws when the plan does not list <see cref="Party"/>.</summary>
    public int PartyIndex
    {
        get
        {
            for (int i = 0; i < Plan.Parties.Count; i++)
            {
                if (Plan.Parties[i].Name == Party)
                {
                    return i;
                }
            }

            throw new VerticalFlException(VflStatus.UnknownParty, $"party '{Party}' is not in this follower's plan");
        }
    }

    /// <summary>The party's entry in the plan.</summary>
    public PartySpec Spec => Plan.Parties[PartyIndex];
}
