using SecGear.SecureChannel;

namespace SecGear.VerticalFl;

/// <summary>
/// The two-follower scenario on a scikit-learn binary CSV (breast_cancer.csv): features split in two halves between
/// followers A and B (each with its rows in its own order, so alignment is by id), labels at the leader, the fixed
/// train/test split. Builds the plan, the leader's and followers' options, and the central baseline.
/// </summary>
public sealed class VerticalScenario
{
    private VerticalScenario(TabularDataSet data, FollowerData[] parties, Dictionary<int, byte> labels, int[] train, int[] test)
    {
        Data = data;
        Parties = parties;
        Labels = labels;
        TrainIds = train;
        TestIds = test;
    }

    /// <summary>The whole table (central view).</summary>
    public TabularDataSet Data { get; }

    /// <summary>Follower A's and B's data.</summary>
    public IReadOnlyList<FollowerData> Parties { get; }

    /// <summary>The leader's labels by id.</summary>
    public IReadOnlyDictionary<int, byte> Labels { get; }

    /// <summary>Training ids.</summary>
    public int[] TrainIds { get; }

    /// <summary>Test ids.</summary>
    public int[] TestIds { get; }

    /// <summary>Party names in plan order.</summary>
    public static IReadOnlyList<string> PartyNames { get; } = ["A", "B"];

    /// <summary>Loads the CSV and splits it.</summary>
    public static VerticalScenario Load(string csvPath)
    {
        TabularDataSet data = TabularDataSet.LoadSklearnCsv(csvPath);
        (int[] train, int[] test) = FixedSplit.Split(data.Ids);
        var trainSet = train.ToHashSet();
        int half = data.FeatureCount / 2;
        FollowerData[] parties =
        [
            new FollowerData(Shuffled(data.Columns(0, half), 1), trainSet),
            new FollowerData(Shuffled(data.Columns(half, data.FeatureCount - half), 2), trainSet),
        ];
        var labels = new Dictionary<int, byte>();
        for (int r = 0; r < data.Rows; r++)
        {
            labels[data.Ids[r]] = data.Labels[r];
        }

        return new VerticalScenario(data, parties, labels, train, test);
    }

    /// <summary>
    /// The plan: each follower's half of the features into embeddings of 8, fused width 8, SGD with batches of 32;
    /// <paramref name="clientKeys"/> are the SHA-256 pins of A's and B's channel keys (<see cref="FollowerIdentity.KeySha256"/>).
    /// </summary>
    public TrainingPlan Plan(TrainingMode mode, IReadOnlyList<byte[]> clientKeys, float learningRate = 0.1f, uint seed = 7)
    {
        ArgumentNullException.ThrowIfNull(clientKeys);
        if (clientKeys.Count != PartyNames.Count)
        {
            throw new ArgumentException($"{PartyNames.Count} key pins are needed, one per party", nameof(clientKeys));
        }

        return new TrainingPlan
        {
            Mode = mode,
            Seed = seed,
            LearningRate = learningRate,
            Hidden = 8,
            MaxBatch = 256,
            BatchSize = 32,
            Parties = [.. PartyNames.Select((n, i) => new PartySpec(n, 8) { Features = Parties[i].FeatureCount, ClientKeySha256 = clientKeys[i] })],
        };
    }

    /// <summary>The leader's options for <paramref name="plan"/>.</summary>
    public LeaderOptions LeaderOptions(TrainingPlan plan) => new()
    {
        Plan = plan,
        Labels = Labels,
        TrainIds = TrainIds,
        TestIds = TestIds,
    };

    /// <summary>Follower <paramref name="index"/>'s options for <paramref name="plan"/>, authenticating with <paramref name="credential"/>.</summary>
    public FollowerOptions FollowerOptions(TrainingPlan plan, int index, Uri leader, EnclaveTrust trust, ClientCredential credential) => new()
    {
        Party = plan.Parties[index].Name,
        Plan = plan,
        Credential = credential,
        Data = Parties[index],
        Leader = leader,
        Trust = trust,
    };

    /// <summary>Central training of the same architecture on the same split (the plan's batch size).</summary>
    public IReadOnlyList<EpochResult> TrainCentral(TrainingPlan plan, int epochs, IProgress<EpochResult>? progress = null) =>
        CentralTrainer.Train(plan, Parties, Labels, TrainIds, TestIds, plan.BatchSize, epochs, progress);

    // A party lists its users in its own order: only the ids line rows up.
    private static TabularDataSet Shuffled(TabularDataSet data, int seed)
    {
        int[] order = [.. Enumerable.Range(0, data.Rows)];
        new Random(seed).Shuffle(order);
        var features = new float[data.Features.Length];
        for (int i = 0; i < order.Length; i++)
        {
            data.Features.AsSpan(order[i] * data.FeatureCount, data.FeatureCount).CopyTo(features.AsSpan(i * data.FeatureCount));
        }

        return new TabularDataSet([.. order.Select(r => data.Ids[r])], features, data.FeatureCount, [.. order.Select(r => data.Labels[r])]);
    }
}
