using BenchmarkDotNet.Running;
using SecGear.VerticalFl.Benchmarks;

// One epoch of breast_cancer.csv (15 training rounds of 32 rows, one evaluation round of 114) per operation.
BenchmarkRunner.Run<EpochBenchmarks>(args: args);
