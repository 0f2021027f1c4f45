using SecGear.VerticalFl;

namespace SecGear.VerticalFl.Tests;

public sealed class DropOutTests
{
    private const int Epochs = 3;

    [Fact]
    public async Task Follower_dropping_out_mid_epoch_gives_a_clear_error_and_resuming_gives_the_uninterrupted_model()
    {
        IReadOnlyList<EpochResult> uninterrupted = await VflRun.UninterruptedAsync(Epochs);

        await using VflRun run = await VflRun.StartAsync(TrainingMode.SplitLayer);
        run.Launch(run.FollowerOptions(0));

        // Follower B stops in the middle of epoch 1 (its 20th gradient; an epoch has 15 training rounds).
        using var stopB = new CancellationTokenSource();
        int gradients = 0;
        var nodeB = new FollowerNode(run.FollowerOptions(1) with
        {
            Observer = (kind, _, _) =>
            {
                if (kind == "gradient" && Interlocked.Increment(ref gradients) == 20)
                {
                    stopB.Cancel();
                }
            },
        });
        Task runB = Task.Run(() => nodeB.RunAsync(stopB.Token));

        var ex = await Assert.ThrowsAsync<VerticalFlException>(() => run.Leader.TrainAsync(Epochs));
        Assert.Equal(VflStatus.FollowerDropped, ex.Status);
        Assert.Contains("follower 'B'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("checkpoint of epoch 0", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<Exception>(() => runB);
        nodeB.Dispose();
        Assert.Single(run.Leader.History);

        // B restarts from its checkpoint file and the run resumes at epoch 1: same model as without the drop-out.
        run.Launch(run.FollowerOptions(1));
        IReadOnlyList<EpochResult> resumed = await run.Leader.TrainAsync(Epochs);
        await run.FinishAsync();

        Assert.Equal(Epochs, resumed.Count);
        for (int e = 0; e < Epochs; e++)
        {
            Assert.Equal(uninterrupted[e].TrainLoss, resumed[e].TrainLoss, 5);
            Assert.Equal(uninterrupted[e].TestAccuracy, resumed[e].TestAccuracy, 6);
            Assert.Equal(uninterrupted[e].TestAuc, resumed[e].TestAuc, 6);
        }
    }
}
