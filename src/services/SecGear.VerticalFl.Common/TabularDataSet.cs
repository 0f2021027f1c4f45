using System.Globalization;

namespace SecGear.VerticalFl;

/// <summary>
/// A labelled table: one row per sample id, float features, 0/1 labels. <see cref="LoadSklearnCsv"/> reads the
/// scikit-learn data files that Debian's python3-sklearn ships (breast_cancer.csv: a header <c>n_samples,n_features,
/// class names...</c>, then rows of features followed by the integer target); the id of a row is its 0-based number.
/// </summary>
public sealed class TabularDataSet
{
    /// <summary>Creates a table; features are row-major, ids.Length x featureCount.</summary>
    public TabularDataSet(int[] ids, float[] features, int featureCount, byte[] labels)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (features.Length != ids.Length * featureCount || labels.Length != ids.Length)
        {
            throw new ArgumentException("features, labels and ids disagree on the row count");
        }

        Ids = ids;
        Features = features;
        FeatureCount = featureCount;
        Labels = labels;
    }

    /// <summary>Sample ids, one per row.</summary>
    public int[] Ids { get; }

    /// <summary>Row-major features.</summary>
    public float[] Features { get; }

    /// <summary>Columns per row.</summary>
    public int FeatureCount { get; }

    /// <summary>0/1 labels, one per row.</summary>
    public byte[] Labels { get; }

    /// <summary>Number of rows.</summary>
    public int Rows => Ids.Length;

    /// <summary>Reads a scikit-learn binary-classification CSV (e.g. breast_cancer.csv); throws <see cref="InvalidDataException"/> naming the bad line.</summary>
    public static TabularDataSet LoadSklearnCsv(string path)
    {
        string[] lines = File.ReadAllLines(path);
        if (lines.Length == 0)
        {
            throw new InvalidDataException($"{path}: empty file");
        }

        string[] header = lines[0].Split(',');
        if (header.Length < 4 || !int.TryParse(header[0], CultureInfo.InvariantCulture, out int rows) || !int.TryParse(header[1], CultureInfo.InvariantCulture, out int columns))
        {
            throw new InvalidDataException($"{path}:1: expected the header 'n_samples,n_features,class0,class1'");
        }

        if (header.Length != 4)
        {
            throw new InvalidDataException($"{path}:1: {header.Length - 2} classes; only binary data sets are supported");
        }

        if (lines.Length - 1 < rows || rows < 2 || columns < 2)
        {
            throw new InvalidDataException($"{path}: the header announces {rows} rows of {columns} features; the file has {lines.Length - 1} lines");
        }

        var ids = new int[rows];
        var features = new float[rows * columns];
        var labels = new byte[rows];
        for (int r = 0; r < rows; r++)
        {
            string[] cells = lines[r + 1].Split(',');
            if (cells.Length != columns + 1)
            {
                throw new InvalidDataException($"{path}:{r + 2}: {cells.Length} cells, expected {columns + 1}");
            }

            for (int c = 0; c < columns; c++)
            {
                if (!float.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out float value) || !float.IsFinite(value))
                {
                    throw new InvalidDataException($"{path}:{r + 2}: cell {c + 1} is not a finite number");
                }

                features[(r * columns) + c] = value;
            }

            labels[r] = cells[columns].Trim() switch
            {
                "0" => 0,
                "1" => 1,
                _ => throw new InvalidDataException($"{path}:{r + 2}: the target is not 0 or 1"),
            };
            ids[r] = r;
        }

        return new TabularDataSet(ids, features, columns, labels);
    }

    /// <summary>The table restricted to the given columns (labels kept), rows unchanged.</summary>
    public TabularDataSet Columns(int first, int count)
    {
        if (first < 0 || count < 1 || first + count > FeatureCount)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"columns {first}..{first + count - 1} are outside 0..{FeatureCount - 1}");
        }

        var features = new float[Rows * count];
        for (int r = 0; r < Rows; r++)
        {
            Features.AsSpan((r * FeatureCount) + first, count).CopyTo(features.AsSpan(r * count));
        }

        return new TabularDataSet(Ids, features, count, Labels);
    }
}
