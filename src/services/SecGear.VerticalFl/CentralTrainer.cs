using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SecGear.VerticalFl;

/// <summary>
/// The unprotected baseline: the same architecture (each party's bottom network, the fused layer, the top layer),
/// the same initial weights, batches, optimiser and learning rate, trained in one place on all the features with
/// TorchSharp. The vertical run must match it (docs/vertical-fl.md, "Results").
/// </summary>
public static class CentralTrainer
{
    /// <summary>Trains for <paramref name="epochs"/> epochs and evaluates on the test ids after each.</summary>
    /// <param name="plan">Widths, seed and learning rate (the mode does not matter here).</param>
    /// <param name="parties">Each party's features, in plan order.</param>
    /// <param name="labels">Labels by id.</param>
    /// <param name="trainIds">Training ids.</param>
    /// <param name="testIds">Test ids.</param>
    /// <param name="batchSize">Rows per step.</param>
    /// <param name="epochs">Epoch count.</param>
    /// <param name="progress">Told after each epoch.</param>
    public static IReadOnlyList<EpochResult> Train(
        TrainingPlan plan, IReadOnlyList<FollowerData> parties, IReadOnlyDictionary<int, byte> labels, int[] trainIds, int[] testIds, int batchSize, int epochs, IProgress<EpochResult>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(parties);
        ArgumentNullException.ThrowIfNull(labels);
        var bottoms = parties.Select((p, k) => new BottomNetwork(plan.Seed, k, p.FeatureCount, plan.Parties[k].EmbeddingDim)).ToArray();
        int fusedIn = plan.Parties.Sum(p => p.EmbeddingDim);
        using Linear fused = nn.Linear(fusedIn, plan.Hidden);
        (float[] fw, float[] fb) = ParameterInit.Linear(plan.Seed, ParameterInit.FusedLayer, fusedIn, plan.Hidden);
        TorchParameters.Set(fused, fw, fb);
        using Linear top = nn.Linear(plan.Hidden, 1);
        (float[] tw, float[] tb) = ParameterInit.Linear(plan.Seed, ParameterInit.TopLayer, plan.Hidden, 1);
        TorchParameters.Set(top, tw, tb);
        var parameters = bottoms.SelectMany(b => b.Linear.parameters()).Concat(fused.parameters()).Concat(top.parameters()).ToList();
        using optim.Optimizer optimizer = optim.SGD(parameters, plan.LearningRate);

        Tensor Logits(int[] ids)
        {
            Tensor[] embeddings = [.. bottoms.Select((b, k) => b.Forward(tensor(parties[k].Rows(ids)).reshape(ids.Length, parties[k].FeatureCount)))];
            return top.forward(nn.functional.relu(fused.forward(cat(embeddings, 1)))).squeeze(1);
        }

        var history = new List<EpochResult>();
        try
        {
            for (int epoch = 0; epoch < epochs; epoch++)
            {
                var watch = Stopwatch.StartNew();
                double lossSum = 0;
                foreach (int[] batch in FixedSplit.Batches(trainIds, batchSize, plan.Seed, epoch))
                {
                    using var scope = NewDisposeScope();
                    Tensor y = tensor(batch.Select(id => (float)labels[id]).ToArray());
                    Tensor loss = nn.functional.binary_cross_entropy_with_logits(Logits(batch), y);
                    loss.backward();
                    optimizer.step();
                    optimizer.zero_grad();
                    lossSum += loss.item<float>() * batch.Length;
                }

                float[] probabilities;
                using (var scope = NewDisposeScope())
                using (no_grad())
                {
                    probabilities = sigmoid(Logits(testIds)).data<float>().ToArray();
                }

                byte[] testLabels = [.. testIds.Select(id => labels[id])];
                var result = new EpochResult(epoch, lossSum / trainIds.Length, BinaryMetrics.Accuracy(probabilities, testLabels), BinaryMetrics.Auc(probabilities, testLabels), watch.Elapsed);
                history.Add(result);
                progress?.Report(result);
            }
        }
        finally
        {
            foreach (BottomNetwork bottom in bottoms)
            {
                bottom.Dispose();
            }
        }

        return history;
    }
}
