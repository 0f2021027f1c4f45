namespace SecGear.VerticalFl;

/// <summary>
/// The fixed train/test split every party computes alone from the sample ids (no data exchanged): the ids, sorted,
/// shuffled with a fixed seed; the first <c>testFraction</c> are the test set. Also the per-epoch batch order.
/// </summary>
public static class FixedSplit
{
    /// <summary>The seed of the split (fixed: the split never changes between runs).</summary>
    public const int SplitSeed = 20261207;

    /// <summary>Splits <paramref name="ids"/> into sorted train and test ids.</summary>
    public static (int[] Train, int[] Test) Split(IEnumerable<int> ids, double testFraction = 0.2)
    {
        int[] shuffled = [.. ids.Order()];
        new Random(SplitSeed).Shuffle(shuffled);
        int test = (int)Math.Round(shuffled.Length * testFraction);
        return ([.. shuffled[test..].Order()], [.. shuffled[..test].Order()]);
    }

    /// <summary>The batches of one epoch: the train ids shuffled with a seed of the epoch, cut into batches.</summary>
    public static IReadOnlyList<int[]> Batches(int[] trainIds, int batchSize, uint seed, int epoch)
    {
        int[] order = (int[])trainIds.Clone();
        new Random(unchecked((int)seed * 31 + epoch)).Shuffle(order);
        return order.Chunk(batchSize).ToArray();
    }

    /// <summary>Evaluation batches: the ids in order, cut into batches.</summary>
    public static IReadOnlyList<int[]> EvaluationBatches(int[] ids, int batchSize) => ids.Chunk(batchSize).ToArray();
}
