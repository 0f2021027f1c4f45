using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace SecGear.CryptoModule.Benchmarks;

/// <summary>In-process (the enclave image and runner sit beside the benchmark), short: 3 warmups, 5 iterations, median; ratios to the floor per row group.</summary>
public sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(3).WithIterationCount(5).WithId("cm"));
        AddColumn(StatisticColumn.Median);
        WithOption(ConfigOptions.DisableOptimizationsValidator, true);
    }
}
