using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace SecGear.EncryptedDb.Benchmarks;

/// <summary>
/// In the benchmark process (the enclave image and runner sit beside it, as for an app), few iterations: each
/// operation is a whole query or a million rows; the median and the baseline ratio are reported.
/// </summary>
public sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(8)
            .WithId("encdb"));
        AddColumn(StatisticColumn.Median);
    }
}
