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

    /// <summary>The plan: embeddings of 8 per follower, fused width 8, SGD.</summary>
    public static TrainingPlan Plan(TrainingMode mode, float learningRate = 0.1f, uint seed = 7) => new()
    {
        Mode = mode,
        Seed = seed,
        LearningRate = learningRate,
        Hidden = 8,
        MaxBatch = 256,
        Parties = [.. PartyNames.Select(n => new PartySpec(n, 8))],
    };

    /// <summary>The leader's options for <paramref name="plan"/>.</summary>
    public LeaderOptions LeaderOptions(TrainingPlan plan, int batchSize = 32) => new()
    {
        Plan = plan,
        Labels = Labels,
        TrainIds = TrainIds,
        TestIds = TestIds,
        BatchSize = batchSize,
    };

    /// <summary>Follower <paramref name="index"/>'s options for <paramref name="plan"/>.</summary>
    public FollowerOptions FollowerOptions(TrainingPlan plan, int index, Uri leader, EnclaveTrust trust) => new()
    {
        Party = plan.Parties[index].Name,
        PartyIndex = index,
        Data = Parties[index],
        Leader = leader,
        Trust = trust,
        EmbeddingDim = plan.Parties[index].EmbeddingDim,
        Seed = plan.Seed,
        LearningRate = plan.LearningRate,
    };

    /// <summary>Central training of the same architecture on the same split.</summary>
    public IReadOnlyList<EpochResult> TrainCentral(TrainingPlan plan, int epochs, int batchSize = 32, IProgress<EpochResult>? progress = null) =>
        CentralTrainer.Train(plan, Parties, Labels, TrainIds, TestIds, batchSize, epochs, progress);

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
