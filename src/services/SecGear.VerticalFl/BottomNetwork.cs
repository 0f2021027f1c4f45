using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SecGear.VerticalFl;

/// <summary>
/// A follower's bottom network, <c>ReLU(Linear(features, embedding))</c>, in TorchSharp (autograd does its backward),
/// initialised with <see cref="ParameterInit"/> so the central baseline starts from the same weights.
/// </summary>
public sealed class BottomNetwork : IDisposable
{
    private readonly Linear _linear;

    /// <summary>Creates the network of party number <paramref name="party"/> (its place in the plan).</summary>
    public BottomNetwork(uint seed, int party, int features, int embeddingDim)
    {
        _linear = nn.Linear(features, embeddingDim);
        (float[] weight, float[] bias) = ParameterInit.Linear(seed, ParameterInit.BottomLayer + party, features, embeddingDim);
        TorchParameters.Set(_linear, weight, bias);
    }

    /// <summary>The layer (its parameters go to the optimiser).</summary>
    public Linear Linear => _linear;

    /// <summary>Forward with autograd recording.</summary>
    public Tensor Forward(Tensor x) => nn.functional.relu(_linear.forward(x));

    /// <summary>A copy of the parameters (weight then bias, flat).</summary>
    public float[][] Snapshot() => TorchParameters.Get(_linear);

    /// <summary>Restores a <see cref="Snapshot"/>.</summary>
    public void Restore(float[][] snapshot) => TorchParameters.Set(_linear, snapshot[0], snapshot[1]);

    /// <inheritdoc />
    public void Dispose() => _linear.Dispose();
}
