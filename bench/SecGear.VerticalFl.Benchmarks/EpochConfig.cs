using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace SecGear.VerticalFl.Benchmarks;

/// <summary>
/// In the benchmark process (TorchSharp's patched natives, the enclave image and the runner sit beside it, as for an
/// app); one epoch per operation, 3 warm-up and 25 measured iterations, median and ratio to central training.
/// </summary>
public sealed class EpochConfig : ManualConfig
{
    public EpochConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(25)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithId("epoch"));
        AddColumn(StatisticColumn.Median);
    }
}
