namespace SecGear.VerticalFl;

/// <summary>
/// Deterministic initial parameters, the same for the vertical run (followers, enclave, leader) and the central
/// baseline, so both trainings start from identical weights: uniform in ±1/sqrt(fanIn) like torch's Linear default,
/// drawn from a <see cref="Random"/> seeded with the plan's seed and the layer's number.
/// </summary>
public static class ParameterInit
{
    /// <summary>Layer numbers: bottom network of party k is <c>BottomLayer + k</c>.</summary>
    public const int FusedLayer = 100;

    /// <summary>The top layer.</summary>
    public const int TopLayer = 200;

    /// <summary>The first bottom layer.</summary>
    public const int BottomLayer = 0;

    /// <summary>A Linear(fanIn, fanOut) layer's weight (fanOut x fanIn, row-major) and bias (fanOut).</summary>
    public static (float[] Weight, float[] Bias) Linear(uint seed, int layer, int fanIn, int fanOut)
    {
        var random = new Random(unchecked((int)(seed * 1_000_003u) + layer));
        float bound = 1f / MathF.Sqrt(fanIn);
        var weight = new float[fanIn * fanOut];
        var bias = new float[fanOut];
        for (int i = 0; i < weight.Length; i++)
        {
            weight[i] = (float)((random.NextDouble() * 2) - 1) * bound;
        }

        for (int i = 0; i < bias.Length; i++)
        {
            bias[i] = (float)((random.NextDouble() * 2) - 1) * bound;
        }

        return (weight, bias);
    }
}
