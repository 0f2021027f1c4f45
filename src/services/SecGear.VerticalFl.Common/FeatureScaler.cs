namespace SecGear.VerticalFl;

/// <summary>
/// Standardisation (zero mean, unit variance per column) fitted on the training rows only. Each follower fits it on
/// its own columns; the central baseline fits the same statistics on the same rows, so both see identical inputs.
/// </summary>
public sealed class FeatureScaler
{
    private readonly float[] _mean;
    private readonly float[] _scale;

    private FeatureScaler(float[] mean, float[] scale)
    {
        _mean = mean;
        _scale = scale;
    }

    /// <summary>Fits mean and standard deviation of each column over the rows whose ids are in <paramref name="trainIds"/>.</summary>
    public static FeatureScaler Fit(TabularDataSet data, IReadOnlySet<int> trainIds)
    {
        ArgumentNullException.ThrowIfNull(data);
        int columns = data.FeatureCount;
        var sum = new double[columns];
        var squares = new double[columns];
        int count = 0;
        for (int r = 0; r < data.Rows; r++)
        {
            if (!trainIds.Contains(data.Ids[r]))
            {
                continue;
            }

            count++;
            for (int c = 0; c < columns; c++)
            {
                double v = data.Features[(r * columns) + c];
                sum[c] += v;
                squares[c] += v * v;
            }
        }

        if (count < 2)
        {
            throw new ArgumentException("fewer than two training rows to fit the scaler on");
        }

        var mean = new float[columns];
        var scale = new float[columns];
        for (int c = 0; c < columns; c++)
        {
            double m = sum[c] / count;
            double variance = Math.Max((squares[c] / count) - (m * m), 0);
            mean[c] = (float)m;
            scale[c] = variance > 1e-12 ? (float)(1 / Math.Sqrt(variance)) : 1f;
        }

        return new FeatureScaler(mean, scale);
    }

    /// <summary>Standardises a row-major block in place.</summary>
    public void Apply(Span<float> rows)
    {
        int columns = _mean.Length;
        for (int i = 0; i < rows.Length; i++)
        {
            int c = i % columns;
            rows[i] = (rows[i] - _mean[c]) * _scale[c];
        }
    }
}
