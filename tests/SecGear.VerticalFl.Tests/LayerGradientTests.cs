using System.Security.Cryptography;
using SecGear.VerticalFl;
using static TorchSharp.torch;

namespace SecGear.VerticalFl.Tests;

public sealed class LayerGradientTests
{
    private static readonly TrainingPlan Plan = new() { Hidden = 5, Seed = 3, LearningRate = 0.1f, Parties = [new("A", 3), new("B", 4)] };

    [Fact]
    public void Split_layer_forward_and_gradients_match_TorchSharp_autograd()
    {
        const int rows = 6;
        var random = new Random(1);
        float[] ea = [.. Enumerable.Range(0, rows * 3).Select(_ => (float)random.NextDouble() - 0.5f)];
        float[] eb = [.. Enumerable.Range(0, rows * 4).Select(_ => (float)random.NextDouble() - 0.5f)];
        float[] upstream = [.. Enumerable.Range(0, rows * 5).Select(_ => (float)random.NextDouble() - 0.5f)];
        var layer = new SplitLayer(Plan);
        float[] weight = layer.JoinedWeight();
        float[] bias = layer.Bias();

        var z = new float[rows * 5];
        var a = new float[rows * 5];
        layer.Forward([ea, eb], rows, z, a);
        float[][] grads = layer.Backward([ea, eb], rows, z, upstream, Plan.LearningRate);

        using var scope = NewDisposeScope();
        Tensor ta = tensor(ea).reshape(rows, 3).requires_grad_(true);
        Tensor tb = tensor(eb).reshape(rows, 4).requires_grad_(true);
        Tensor w = tensor(weight).reshape(5, 7).requires_grad_(true);
        Tensor b = tensor(bias).requires_grad_(true);
        Tensor output = nn.functional.relu(nn.functional.linear(cat([ta, tb], 1), w, b));
        (output * tensor(upstream).reshape(rows, 5)).sum().backward();

        AssertClose(output.data<float>().ToArray(), a);
        AssertClose(ta.grad!.data<float>().ToArray(), grads[0]);
        AssertClose(tb.grad!.data<float>().ToArray(), grads[1]);
        float[] expectedWeight = (w - (Plan.LearningRate * w.grad!)).data<float>().ToArray();
        float[] expectedBias = (b - (Plan.LearningRate * b.grad!)).data<float>().ToArray();
        AssertClose(expectedWeight, layer.JoinedWeight());
        AssertClose(expectedBias, layer.Bias());
    }

    [Fact]
    public void Top_layer_loss_and_gradient_match_TorchSharp_autograd()
    {
        const int rows = 7;
        var random = new Random(2);
        float[] activation = [.. Enumerable.Range(0, rows * 5).Select(_ => (float)random.NextDouble())];
        byte[] labels = [1, 0, 0, 1, 1, 0, 1];
        var top = new TopLayer(Plan);
        float[] before = top.Snapshot();
        var probabilities = new float[rows];
        top.Predict(activation, rows, probabilities);
        (float[] grad, double loss) = top.Backward(activation, probabilities, labels, Plan.LearningRate);

        using var scope = NewDisposeScope();
        Tensor a = tensor(activation).reshape(rows, 5).requires_grad_(true);
        Tensor w = tensor(before[..5]).reshape(1, 5);
        Tensor b = tensor(before[5..]);
        Tensor logits = nn.functional.linear(a, w, b).squeeze(1);
        Tensor torchLoss = nn.functional.binary_cross_entropy_with_logits(logits, tensor(labels.Select(l => (float)l).ToArray()));
        torchLoss.backward();

        AssertClose(sigmoid(logits).data<float>().ToArray(), probabilities);
        Assert.Equal(torchLoss.item<float>(), loss, 5);
        AssertClose(a.grad!.data<float>().ToArray(), grad);
    }

    [Fact]
    public void Malformed_messages_are_refused_with_a_typed_error()
    {
        byte[] good = new EmbeddingsMessage(3, true, SHA256.HashData([1]), 2, 2, [1, 2, 3, 4]).Encode();
        Assert.Equal(3ul, Assert.IsType<EmbeddingsMessage>(VflMessage.Decode(good)).Round);
        Assert.Equal(VflStatus.InvalidInput, Assert.Throws<VerticalFlException>(() => VflMessage.Decode(good[..^1])).Status);
        Assert.Equal(VflStatus.InvalidInput, Assert.Throws<VerticalFlException>(() => VflMessage.Decode([.. good, 0])).Status);
        Assert.Equal(VflStatus.InvalidInput, Assert.Throws<VerticalFlException>(() => VflMessage.Decode([0x42])).Status);
        byte[] nan = new EmbeddingsMessage(3, true, SHA256.HashData([1]), 1, 1, [float.NaN]).Encode();
        Assert.Equal(VflStatus.NotFinite, Assert.Throws<VerticalFlException>(() => VflMessage.Decode(nan)).Status);
        Assert.Equal(VflStatus.InvalidInput, Assert.Throws<VerticalFlException>(() => TrainingPlan.Decode([1, 1, 0, 0])).Status);
    }

    [Fact]
    public void Shipped_data_set_matches_its_recorded_provenance()
    {
        string directory = Path.Combine(AppContext.BaseDirectory, "data");
        string expected = File.ReadAllLines(Path.Combine(directory, "PROVENANCE.md")).Single(l => l.StartsWith("- sha256: ", StringComparison.Ordinal))["- sha256: ".Length..];
        Assert.Equal(expected, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(Path.Combine(directory, "breast_cancer.csv")))));
        TabularDataSet data = TabularDataSet.LoadSklearnCsv(Path.Combine(directory, "breast_cancer.csv"));
        Assert.Equal(569, data.Rows);
        Assert.Equal(30, data.FeatureCount);
        Assert.Equal(357, data.Labels.Count(l => l == 1));
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-5, $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
