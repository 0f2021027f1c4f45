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

    public static EnclaveTrust Trust { get; } = EnclaveTrust.ForSimulatedImage(Path.Combine(AppContext.BaseDirectory, "SecGear.VerticalFl.Enclave.sgimage"));

    public static async Task<VflRun> StartAsync(TrainingMode mode, Func<LeaderOptions, LeaderOptions>? configure = null)
    {
        TrainingPlan plan = VerticalScenario.Plan(mode);
        LeaderOptions options = SharedScenario.LeaderOptions(plan) with { StepTimeout = TimeSpan.FromSeconds(20) };
        LeaderNode leader = await LeaderNode.StartAsync(configure?.Invoke(options) ?? options);
        string checkpoints = Path.Combine(Path.GetTempPath(), "secgear-vfl-tests-" + Guid.NewGuid().ToString("N"));
        return new VflRun(SharedScenario, plan, leader, checkpoints);
    }

    public FollowerOptions FollowerOptions(int index, EnclaveTrust? trust = null) =>
        Scenario.FollowerOptions(Plan, index, Leader.Address, trust ?? Trust) with { CheckpointDirectory = Checkpoints };

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
