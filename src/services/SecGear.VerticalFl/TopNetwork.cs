using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SecGear.VerticalFl;

/// <summary>The leader's top network in split-layer mode: <c>Linear(hidden, 1)</c> and BCE-with-logits loss, TorchSharp autograd, plain SGD.</summary>
public sealed class TopNetwork : IDisposable
{
    private readonly Linear _linear;
    private readonly optim.Optimizer _optimizer;
    private readonly int _hidden;

    /// <summary>Creates the layer with <see cref="ParameterInit"/>'s weights for the plan.</summary>
    public TopNetwork(TrainingPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        _hidden = plan.Hidden;
        _linear = nn.Linear(_hidden, 1);
        (float[] weight, float[] bias) = ParameterInit.Linear(plan.Seed, ParameterInit.TopLayer, _hidden, 1);
        TorchParameters.Set(_linear, weight, bias);
        _optimizer = optim.SGD(_linear.parameters(), plan.LearningRate);
    }

    /// <summary>One training step on the fused layer's output: returns the loss and dL/da (rows x hidden) for the enclave.</summary>
    public (double Loss, float[] GradActivation) Step(float[] activation, byte[] labels)
    {
        using var scope = NewDisposeScope();
        Tensor a = tensor(activation).reshape(labels.Length, _hidden).requires_grad_(true);
        Tensor y = tensor(labels.Select(l => (float)l).ToArray());
        Tensor loss = nn.functional.binary_cross_entropy_with_logits(_linear.forward(a).squeeze(1), y);
        loss.backward();
        float[] grad = a.grad!.data<float>().ToArray();
        _optimizer.step();
        _optimizer.zero_grad();
        return (loss.item<float>(), grad);
    }

    /// <summary>Predicted probabilities for the fused layer's output of an evaluation batch.</summary>
    public float[] Predict(float[] activation, int rows)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor a = tensor(activation).reshape(rows, _hidden);
        return sigmoid(_linear.forward(a).squeeze(1)).data<float>().ToArray();
    }

    /// <summary>A copy of the parameters.</summary>
    public float[][] Snapshot() => TorchParameters.Get(_linear);

    /// <summary>Restores a <see cref="Snapshot"/>.</summary>
    public void Restore(float[][] snapshot) => TorchParameters.Set(_linear, snapshot[0], snapshot[1]);

    /// <inheritdoc />
    public void Dispose()
    {
        _optimizer.Dispose();
        _linear.Dispose();
    }
}
