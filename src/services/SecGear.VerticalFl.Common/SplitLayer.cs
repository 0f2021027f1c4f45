using System.Numerics.Tensors;

namespace SecGear.VerticalFl;

/// <summary>
/// The fused (split) layer: <c>a = ReLU(b + sum_k E_k W_k^T)</c> over the followers' embeddings E_k (rows x d_k),
/// with one weight block W_k (hidden x d_k) per follower, trained by plain SGD. Its math uses
/// <see cref="TensorPrimitives"/> (vectorised, managed: it can live in an enclave image, which libtorch cannot);
/// the gradients are the closed form of this one layer, checked against TorchSharp's autograd in the tests.
/// Not thread-safe: the enclave serialises calls.
/// </summary>
public sealed class SplitLayer
{
    private readonly float[][] _weights;
    private readonly float[] _bias;
    private readonly int[] _dims;
    private readonly int _hidden;

    /// <summary>Creates the layer with <see cref="ParameterInit"/>'s weights for <paramref name="plan"/>.</summary>
    public SplitLayer(TrainingPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        _hidden = plan.Hidden;
        _dims = plan.Parties.Select(p => p.EmbeddingDim).ToArray();
        (float[] weight, float[] bias) = ParameterInit.Linear(plan.Seed, ParameterInit.FusedLayer, _dims.Sum(), _hidden);
        _bias = bias;
        _weights = SplitColumns(weight, _hidden, _dims);
    }

    /// <summary>The fused layer's width.</summary>
    public int Hidden => _hidden;

    /// <summary>The weight as one hidden x sum(d_k) row-major matrix (the central model's layout).</summary>
    public float[] JoinedWeight()
    {
        int total = _dims.Sum();
        var joined = new float[_hidden * total];
        for (int h = 0; h < _hidden; h++)
        {
            int column = 0;
            for (int k = 0; k < _dims.Length; k++)
            {
                _weights[k].AsSpan(h * _dims[k], _dims[k]).CopyTo(joined.AsSpan((h * total) + column));
                column += _dims[k];
            }
        }

        return joined;
    }

    /// <summary>The bias (a copy).</summary>
    public float[] Bias() => (float[])_bias.Clone();

    /// <summary>Forward: writes the pre-activation z and the activation a (rows x hidden).</summary>
    public void Forward(IReadOnlyList<float[]> embeddings, int rows, Span<float> preActivation, Span<float> activation)
    {
        for (int r = 0; r < rows; r++)
        {
            for (int h = 0; h < _hidden; h++)
            {
                float z = _bias[h];
                for (int k = 0; k < _dims.Length; k++)
                {
                    z += TensorPrimitives.Dot(embeddings[k].AsSpan(r * _dims[k], _dims[k]), _weights[k].AsSpan(h * _dims[k], _dims[k]));
                }

                preActivation[(r * _hidden) + h] = z;
            }
        }

        TensorPrimitives.Max(preActivation[..(rows * _hidden)], 0f, activation);
    }

    /// <summary>
    /// Backward and SGD step: from dL/da (rows x hidden) computes each follower's dL/dE_k (with the weights before the
    /// update, as autograd does), then updates W_k and b.
    /// </summary>
    public float[][] Backward(IReadOnlyList<float[]> embeddings, int rows, ReadOnlySpan<float> preActivation, ReadOnlySpan<float> gradActivation, float learningRate)
    {
        // dL/dz = dL/da where z > 0 (ReLU).
        var gradZ = new float[rows * _hidden];
        for (int i = 0; i < gradZ.Length; i++)
        {
            gradZ[i] = preActivation[i] > 0 ? gradActivation[i] : 0f;
        }

        var gradEmbeddings = new float[_dims.Length][];
        for (int k = 0; k < _dims.Length; k++)
        {
            int d = _dims[k];
            var gradE = new float[rows * d];
            var gradW = new float[_hidden * d];
            for (int r = 0; r < rows; r++)
            {
                Span<float> gradERow = gradE.AsSpan(r * d, d);
                ReadOnlySpan<float> embeddingRow = embeddings[k].AsSpan(r * d, d);
                for (int h = 0; h < _hidden; h++)
                {
                    float g = gradZ[(r * _hidden) + h];
                    if (g == 0f)
                    {
                        continue;
                    }

                    // dL/dE[r,:] += g W[h,:];  dL/dW[h,:] += g E[r,:]
                    TensorPrimitives.MultiplyAdd(_weights[k].AsSpan(h * d, d), g, gradERow, gradERow);
                    Span<float> gradWRow = gradW.AsSpan(h * d, d);
                    TensorPrimitives.MultiplyAdd(embeddingRow, g, gradWRow, gradWRow);
                }
            }

            TensorPrimitives.MultiplyAdd(gradW, -learningRate, _weights[k], _weights[k]);
            gradEmbeddings[k] = gradE;
        }

        for (int h = 0; h < _hidden; h++)
        {
            float sum = 0;
            for (int r = 0; r < rows; r++)
            {
                sum += gradZ[(r * _hidden) + h];
            }

            _bias[h] -= learningRate * sum;
        }

        return gradEmbeddings;
    }

    /// <summary>A copy of every parameter (the checkpoint).</summary>
    public float[][] Snapshot() => [.. _weights.Select(w => (float[])w.Clone()), (float[])_bias.Clone()];

    /// <summary>Restores a <see cref="Snapshot"/>.</summary>
    public void Restore(float[][] snapshot)
    {
        for (int k = 0; k < _weights.Length; k++)
        {
            snapshot[k].CopyTo(_weights[k], 0);
        }

        snapshot[^1].CopyTo(_bias, 0);
    }

    private static float[][] SplitColumns(float[] weight, int hidden, int[] dims)
    {
        int total = dims.Sum();
        var blocks = new float[dims.Length][];
        int column = 0;
        for (int k = 0; k < dims.Length; k++)
        {
            blocks[k] = new float[hidden * dims[k]];
            for (int h = 0; h < hidden; h++)
            {
                weight.AsSpan((h * total) + column, dims[k]).CopyTo(blocks[k].AsSpan(h * dims[k]));
            }

            column += dims[k];
        }

        return blocks;
    }
}
