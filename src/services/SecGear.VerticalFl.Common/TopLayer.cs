using System.Numerics.Tensors;

namespace SecGear.VerticalFl;

/// <summary>
/// The top layer and loss of strict mode, inside the enclave: <c>p = sigmoid(a v + c)</c> with binary cross-entropy
/// averaged over the batch (the same as torch's BCEWithLogitsLoss), trained by plain SGD. Managed for the same reason
/// as <see cref="SplitLayer"/>; checked against TorchSharp in the tests.
/// </summary>
public sealed class TopLayer
{
    private readonly float[] _weight;
    private float _bias;

    /// <summary>Creates the layer with <see cref="ParameterInit"/>'s weights for <paramref name="plan"/>.</summary>
    public TopLayer(TrainingPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        (float[] weight, float[] bias) = ParameterInit.Linear(plan.Seed, ParameterInit.TopLayer, plan.Hidden, 1);
        _weight = weight;
        _bias = bias[0];
    }

    /// <summary>Writes the predicted probability of each row of <paramref name="activation"/> (rows x hidden).</summary>
    public void Predict(ReadOnlySpan<float> activation, int rows, Span<float> probabilities)
    {
        int hidden = _weight.Length;
        for (int r = 0; r < rows; r++)
        {
            probabilities[r] = Sigmoid(TensorPrimitives.Dot(activation.Slice(r * hidden, hidden), _weight) + _bias);
        }
    }

    /// <summary>
    /// Backward and SGD step from the probabilities <see cref="Predict"/> gave and the labels: returns dL/da (with the
    /// weights before the update) and the batch's mean loss.
    /// </summary>
    public (float[] GradActivation, double Loss) Backward(ReadOnlySpan<float> activation, ReadOnlySpan<float> probabilities, ReadOnlySpan<byte> labels, float learningRate)
    {
        int hidden = _weight.Length;
        int rows = labels.Length;
        var gradActivation = new float[rows * hidden];
        var gradWeight = new float[hidden];
        float gradBias = 0;
        double loss = 0;
        for (int r = 0; r < rows; r++)
        {
            float p = probabilities[r];
            float y = labels[r];
            double logit = TensorPrimitives.Dot(activation.Slice(r * hidden, hidden), _weight) + _bias;
            loss += Math.Max(logit, 0) - (logit * y) + Math.Log(1 + Math.Exp(-Math.Abs(logit)));
            float g = (p - y) / rows;
            TensorPrimitives.Multiply(_weight, g, gradActivation.AsSpan(r * hidden, hidden));
            TensorPrimitives.MultiplyAdd(activation.Slice(r * hidden, hidden), g, gradWeight, gradWeight);
            gradBias += g;
        }

        TensorPrimitives.MultiplyAdd(gradWeight, -learningRate, _weight, _weight);
        _bias -= learningRate * gradBias;
        return (gradActivation, loss / rows);
    }

    /// <summary>A copy of the parameters (weight then bias).</summary>
    public float[] Snapshot() => [.. _weight, _bias];

    /// <summary>Restores a <see cref="Snapshot"/>.</summary>
    public void Restore(float[] snapshot)
    {
        snapshot.AsSpan(0, _weight.Length).CopyTo(_weight);
        _bias = snapshot[^1];
    }

    private static float Sigmoid(float x) => 1f / (1f + MathF.Exp(-x));
}
