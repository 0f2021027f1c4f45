using BenchmarkDotNet.Running;
using SecGear.EncryptedDb.Benchmarks;

// Fully-encrypted database benchmarks (need SECGEAR_TEST_POSTGRES): query classes encrypted vs plaintext PostgreSQL,
// rows/s filtered in the enclave, switchless vs regular row batches. `--filter '*'` runs them all.
BenchmarkSwitcher.FromAssembly(typeof(EnclaveFilterBenchmarks).Assembly).Run(args);
