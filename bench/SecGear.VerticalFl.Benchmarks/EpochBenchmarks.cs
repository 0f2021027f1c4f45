using BenchmarkDotNet.Attributes;
using SecGear.Host;

namespace SecGear.VerticalFl.Benchmarks;

/// <summary>
/// Time per epoch: central training (the floor), vertical training with the split layer in the enclave (simulation
/// engine: its own process; per-batch ECALLs switchless or regular), and the same vertical training with the split
/// layer in plain code in the leader's process (InProcess engine: same code and secure channels, no process boundary).
/// </summary>
[Config(typeof(EpochConfig))]
public class EpochBenchmarks
{
    private readonly List<Vertical> _runs = [];
    private VerticalScenario _scenario = null!;
    private TrainingPlan _plan = null!;
    private FollowerIdentity[] _identities = null!;
    private Vertical _switchless = null!;
    private Vertical _regular = null!;
    private Vertical _inProcess = null!;

    [GlobalSetup]
    public void Setup()
    {
        // One intra-op thread: libtorch's thread pool spins against everything else on a shared 2-core machine, which
        // made central epochs vary from 10 to 700 ms; the parties here each run on their own thread anyway.
        TorchSharp.torch.set_num_threads(1);
        _scenario = VerticalScenario.Load(Path.Combine(AppContext.BaseDirectory, "data", "breast_cancer.csv"));
        _identities = [.. VerticalScenario.PartyNames.Select(p => FollowerIdentity.Create(p))];
        _plan = _scenario.Plan(TrainingMode.SplitLayer, [.. _identities.Select(i => i.KeySha256)]);
        _switchless = Start(EnclaveType.Simulation, switchless: true);
        _regular = Start(EnclaveType.Simulation, switchless: false);
        _inProcess = Start(EnclaveType.InProcess, switchless: false);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (Vertical run in _runs)
        {
            run.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    [Benchmark(Baseline = true, Description = "central (TorchSharp, all features)")]
    public double Central() => _scenario.TrainCentral(_plan, epochs: 1)[^1].TestAccuracy;

    [Benchmark(Description = "vertical, split layer in enclave, switchless ECALLs")]
    public double EnclaveSwitchless() => _switchless.Epoch();

    [Benchmark(Description = "vertical, split layer in enclave, regular ECALLs")]
    public double EnclaveRegular() => _regular.Epoch();

    [Benchmark(Description = "vertical, split layer plain in leader process")]
    public double PlainOnLeader() => _inProcess.Epoch();

    private Vertical Start(EnclaveType engine, bool switchless)
    {
        var run = Vertical.StartAsync(_scenario, _plan, _identities, engine, switchless).GetAwaiter().GetResult();
        _runs.Add(run);
        return run;
    }

    /// <summary>A leader and two in-process followers that train one more epoch per call.</summary>
    private sealed class Vertical : IAsyncDisposable
    {
        private readonly LeaderNode _leader;
        private readonly FollowerNode[] _followers;
        private readonly Task[] _running;
        private readonly CancellationTokenSource _stop = new();
        private int _epochs;

        private Vertical(LeaderNode leader, FollowerNode[] followers)
        {
            _leader = leader;
            _followers = followers;
            _running = [.. followers.Select(f => Task.Run(() => f.RunAsync(_stop.Token)))];
        }

        public static async Task<Vertical> StartAsync(VerticalScenario scenario, TrainingPlan plan, FollowerIdentity[] identities, EnclaveType engine, bool switchless)
        {
            LeaderNode leader = await LeaderNode.StartAsync(scenario.LeaderOptions(plan) with { Engine = engine, Switchless = switchless });
            EnclaveTrust trust = EnclaveTrust.ForSimulatedImage(Path.Combine(AppContext.BaseDirectory, "SecGear.VerticalFl.Enclave.sgimage"), allowInProcess: engine == EnclaveType.InProcess);
            FollowerNode[] followers = [.. plan.Parties.Select((_, i) => new FollowerNode(scenario.FollowerOptions(plan, i, leader.Address, trust, identities[i].Credential)))];
            return new Vertical(leader, followers);
        }

        public double Epoch() => _leader.TrainAsync(++_epochs).GetAwaiter().GetResult()[^1].TestAccuracy;

        public async ValueTask DisposeAsync()
        {
            await _leader.FinishAsync();
            await Task.WhenAny(Task.WhenAll(_running), Task.Delay(TimeSpan.FromSeconds(10)));
            await _stop.CancelAsync();
            foreach (FollowerNode follower in _followers)
            {
                follower.Dispose();
            }

            await _leader.DisposeAsync();
            _stop.Dispose();
        }
    }
}
