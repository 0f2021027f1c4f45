using BenchmarkDotNet.Running;

// Federated SQL benchmarks (docs/federated-sql.md, "Performance"): end-to-end query latency with the enclave against
// the same federation merging in A's host process, and merge throughput inside the enclave, switchless against
// regular calls. Report every figure with the load average (`uptime`): the machine is shared.
BenchmarkSwitcher.FromAssembly(typeof(SecGear.FederatedSql.Benchmarks.QueryConfig).Assembly).Run(args);
