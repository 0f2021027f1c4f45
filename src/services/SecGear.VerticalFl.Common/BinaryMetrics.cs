namespace SecGear.VerticalFl;

/// <summary>Accuracy (threshold 0.5) and ROC AUC (the Mann-Whitney rank statistic, ties counted half).</summary>
public static class BinaryMetrics
{
    /// <summary>The share of rows whose predicted class (p &gt;= 0.5) equals the label.</summary>
    public static double Accuracy(ReadOnlySpan<float> probabilities, ReadOnlySpan<byte> labels)
    {
        Check(probabilities, labels);
        int right = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            right += (probabilities[i] >= 0.5f ? 1 : 0) == labels[i] ? 1 : 0;
        }

        return (double)right / labels.Length;
    }

    /// <summary>The probability that a random positive row scores above a random negative one.</summary>
    public static double Auc(ReadOnlySpan<float> probabilities, ReadOnlySpan<byte> labels)
    {
        Check(probabilities, labels);
        var order = Enumerable.Range(0, labels.Length).ToArray();
        float[] scores = probabilities.ToArray();
        Array.Sort(order, (a, b) => scores[a].CompareTo(scores[b]));
        double positiveRankSum = 0;
        int positives = 0;
        int i = 0;
        while (i < order.Length)
        {
            int j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]])
            {
                j++;
            }

            double rank = ((i + j) / 2.0) + 1;
            for (int k = i; k <= j; k++)
            {
                if (labels[order[k]] == 1)
                {
                    positiveRankSum += rank;
                    positives++;
                }
            }

            i = j + 1;
        }

        int negatives = labels.Length - positives;
        if (positives == 0 || negatives == 0)
        {
            throw new ArgumentException("AUC needs both classes among the labels");
        }

        return (positiveRankSum - (positives * (positives + 1) / 2.0)) / ((double)positives * negatives);
    }

    private static void Check(ReadOnlySpan<float> probabilities, ReadOnlySpan<byte> labels)
    {
        if (probabilities.Length != labels.Length || labels.IsEmpty)
        {
            throw new ArgumentException($"{probabilities.Length} predictions for {labels.Length} labels");
        }
    }
}
