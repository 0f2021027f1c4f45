using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace SecGear.FederatedSql.Benchmarks;

/// <summary>
/// Whole queries: one query per iteration, in the benchmark process (the enclave image, the runner and the site
/// service sit beside it as they do for an app), 2 warm-ups and 15 measured iterations (a query of 100 k groups takes
/// about half a second; on a shared machine fewer were too noisy to read a ratio), median reported.
/// </summary>
public sealed class QueryConfig : ManualConfig
{
    public QueryConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(15)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithId("query"));
        AddColumn(StatisticColumn.Median);
    }
}

/// <summary>Whole queries of 10 M partial groups (about a minute each): 1 warm-up and 3 measured iterations, median reported.</summary>
public sealed class LargeQueryConfig : ManualConfig
{
    public LargeQueryConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithStrategy(RunStrategy.Monitoring)
            .WithLaunchCount(1)
            .WithWarmupCount(1)
            .WithIterationCount(3)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithId("query-10M"));
        AddColumn(StatisticColumn.Median);
    }
}

/// <summary>Merge throughput: each invocation feeds a batch of prepared records, 2 warm-ups, 10 measured iterations.</summary>
public sealed class MergeConfig : ManualConfig
{
    public MergeConfig()
    {
        AddJob(Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(10)
            .WithInvocationCount(1)
            .WithUnrollFactor(1)
            .WithId("merge"));
        AddColumn(StatisticColumn.Median);
    }
}
