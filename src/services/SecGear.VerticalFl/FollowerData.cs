namespace SecGear.VerticalFl;

/// <summary>
/// A follower's own columns, looked up by sample id (a party's rows need not be in any particular order), and
/// standardised with statistics of its training rows only.
/// </summary>
public sealed class FollowerData
{
    private readonly Dictionary<int, int> _rowOfId = [];
    private readonly float[] _features;

    /// <summary>Indexes <paramref name="data"/> by id and fits the scaler on the rows whose ids are in <paramref name="trainIds"/>.</summary>
    public FollowerData(TabularDataSet data, IReadOnlySet<int> trainIds)
    {
        ArgumentNullException.ThrowIfNull(data);
        for (int r = 0; r < data.Rows; r++)
        {
            if (!_rowOfId.TryAdd(data.Ids[r], r))
            {
                throw new ArgumentException($"sample id {data.Ids[r]} appears twice in the follower's data");
            }
        }

        FeatureCount = data.FeatureCount;
        _features = (float[])data.Features.Clone();
        FeatureScaler.Fit(data, trainIds).Apply(_features);
    }

    /// <summary>Columns per row.</summary>
    public int FeatureCount { get; }

    /// <summary>The standardised rows of <paramref name="ids"/>, in that order; throws when an id is unknown.</summary>
    public float[] Rows(IReadOnlyList<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var rows = new float[ids.Count * FeatureCount];
        for (int i = 0; i < ids.Count; i++)
        {
            if (!_rowOfId.TryGetValue(ids[i], out int row))
            {
                throw new VerticalFlException(VflStatus.Misaligned, $"sample id {ids[i]} is not in this follower's data");
            }

            _features.AsSpan(row * FeatureCount, FeatureCount).CopyTo(rows.AsSpan(i * FeatureCount));
        }

        return rows;
    }
}
