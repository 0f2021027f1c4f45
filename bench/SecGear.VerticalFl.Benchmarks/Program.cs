using BenchmarkDotNet.Running;
using SecGear.VerticalFl.Benchmarks;

// EpochBenchmarks: one epoch of breast_cancer.csv per operation; RoundBenchmarks: the per-batch ECALLs of one round.
// No arguments runs both; BenchmarkDotNet's --filter picks one, e.g. --filter '*Round*'.
BenchmarkSwitcher.FromTypes([typeof(EpochBenchmarks), typeof(RoundBenchmarks)]).Run(args.Length == 0 ? ["--filter", "*"] : args);
