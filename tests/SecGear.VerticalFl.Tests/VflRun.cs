using SecGear.SecureChannel;
using SecGear.VerticalFl;

namespace SecGear.VerticalFl.Tests;

/// <summary>A leader and two in-process followers (each on its own gRPC stream) on breast_cancer.csv.</summary>
internal sealed class VflRun : IAsyncDisposable
{
    private readonly List<(FollowerNode Node, Task Run, CancellationTokenSource Stop)> _followers = [];

    private VflRun(VerticalScenario scenario, TrainingPlan plan, LeaderNode leader, string checkpoints)
    {
        Scenario = scenario;
        Plan = plan;
        Leader = leader;
        Checkpoints = checkpoints;
    }

    public static VerticalScenario SharedScenario { get; } = VerticalScenario.Load(Path.Combine(AppContext.BaseDirectory, "data", "breast_cancer.csv"));

    public VerticalScenario Scenario { get; }

    public TrainingPlan Plan { get; }

    public LeaderNode Leader { get; }

    public string Checkpoints { get; }

    /// <summary>Follower A's and B's channel keys (the plans of these tests pin them).</summary>
    public static IReadOnlyList<FollowerIdentity> Identities { get; } = [.. VerticalScenario.PartyNames.Select(p => FollowerIdentity.Create(p))];

    public static EnclaveTrust Trust { get; } = EnclaveTrust.ForSimulatedImage(Path.Combine(AppContext.BaseDirectory, "SecGear.VerticalFl.Enclave.sgimage"));

    /// <summary>The plan the followers' operators agreed to: breast_cancer split in two, A's and B's keys pinned.</summary>
    public static TrainingPlan AgreedPlan(TrainingMode mode) => SharedScenario.Plan(mode, [.. Identities.Select(i => i.KeySha256)]);

    /// <summary>
    /// Starts a leader on <see cref="AgreedPlan"/>; <paramref name="configure"/> may change the leader's options (its
    /// plan included: the followers still expect the agreed one).
    /// </summary>
    public static async Task<VflRun> StartAsync(TrainingMode mode, Func<LeaderOptions, LeaderOptions>? configure = null)
    {
        TrainingPlan plan = AgreedPlan(mode);
        LeaderOptions options = SharedScenario.LeaderOptions(plan) with { StepTimeout = TimeSpan.FromSeconds(20) };
        LeaderNode leader = await LeaderNode.StartAsync(configure?.Invoke(options) ?? options);
        string checkpoints = Path.Combine(Path.GetTempPath(), "secgear-vfl-tests-" + Guid.NewGuid().ToString("N"));
        return new VflRun(SharedScenario, plan, leader, checkpoints);
    }

    /// <summary>The results of an uninterrupted split-layer run of <paramref name="epochs"/> epochs: what a resumed run must reproduce.</summary>
    public static async Task<IReadOnlyList<EpochResult>> UninterruptedAsync(int epochs)
    {
        await using VflRun reference = await StartAsync(TrainingMode.SplitLayer);
        reference.StartFollowers();
        IReadOnlyList<EpochResult> results = [.. await reference.Leader.TrainAsync(epochs)];
        await reference.FinishAsync();
        return results;
    }

    public FollowerOptions FollowerOptions(int index, EnclaveTrust? trust = null, ClientCredential? credential = null) =>
        Scenario.FollowerOptions(Plan, index, Leader.Address, trust ?? Trust, credential ?? Identities[index].Credential) with { CheckpointDirectory = Checkpoints };

    public Task StartFollower(FollowerOptions options) => Start(options);

    /// <summary>Starts a follower; its task is watched by <see cref="FinishAsync"/> and <see cref="DisposeAsync"/>.</summary>
    public void Launch(FollowerOptions options) => _ = Start(options);

    private Task Start(FollowerOptions options)
    {
        var node = new FollowerNode(options);
        var stop = new CancellationTokenSource();
        Task run = Task.Run(() => node.RunAsync(stop.Token));
        _followers.Add((node, run, stop));
        return run;
    }

    public void StartFollowers()
    {
        for (int i = 0; i < Plan.Parties.Count; i++)
        {
            Launch(FollowerOptions(i));
        }
    }

    public async Task FinishAsync()
    {
        await Leader.FinishAsync();
        await Task.WhenAll(_followers.Select(f => f.Run)).WaitAsync(TimeSpan.FromSeconds(20));
    }

    public async ValueTask DisposeAsync()
    {
        foreach ((FollowerNode _, Task _, CancellationTokenSource stop) in _followers)
        {
            await stop.CancelAsync();
        }

        foreach ((FollowerNode node, Task run, CancellationTokenSource stop) in _followers)
        {
            try
            {
                await run.WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception ex) when (ex is OperationCanceledException or VerticalFlException or TimeoutException or global::Grpc.Core.RpcException)
            {
                // Stopped on purpose.
            }

            node.Dispose();
            stop.Dispose();
        }

        await Leader.DisposeAsync();
        if (Directory.Exists(Checkpoints))
        {
            Directory.Delete(Checkpoints, recursive: true);
        }
    }
}
