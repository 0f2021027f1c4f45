using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace SecGear.Benchmarks;

/// <summary>
/// Runs benchmarks in the benchmark process (no generated project), so the runner, the fixture enclave and the
/// native library sit beside it exactly as they do for an app; adds the median column.
/// </summary>
public sealed class InProcessConfig : ManualConfig
{
    public InProcessConfig()
    {
        AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithId("in-process-toolchain"));
        AddColumn(StatisticColumn.Median);
    }
}

/// <summary>
/// Enclave lifecycle: one operation per iteration (each creates a process), 15 measured iterations, median reported.
/// </summary>
public sealed class LifecycleConfig : ManualConfig
{
    public LifecycleConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithStrategy(BenchmarkDotNet.Engines.RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(15)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithId("lifecycle"));
        AddColumn(StatisticColumn.Median);
    }
}
