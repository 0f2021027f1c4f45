using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace SecGear.VerticalFl.Benchmarks;

/// <summary>In the benchmark process, BenchmarkDotNet's default iteration planning, median column.</summary>
public sealed class RoundConfig : ManualConfig
{
    public RoundConfig()
    {
        AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithIterationCount(15).WithWarmupCount(3).WithId("round"));
        AddColumn(StatisticColumn.Median);
    }
}
