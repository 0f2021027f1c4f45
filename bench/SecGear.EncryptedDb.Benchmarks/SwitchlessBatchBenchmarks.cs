using BenchmarkDotNet.Attributes;
using SecGear.EncryptedDb.Client;
using SecGear.EncryptedDb.Service;
using SecGear.Host;

namespace SecGear.EncryptedDb.Benchmarks;

/// <summary>
/// Switchless against regular ECALLs for the row batches, side by side in one run: query services whose enclave was
/// created with SwitchlessOptions (query_rows is transition_using_threads) - every batch switchless, or the service's
/// default policy (batches over QueryServiceOptions.SwitchlessMaxBatchRows as regular query_rows_long) - and one
/// without, each fed the same 200,000 candidate rows of the range filter in batches of 64 or 1024 rows. Time per row;
/// ratio to regular.
/// </summary>
[Config(typeof(BenchConfig))]
public class SwitchlessBatchBenchmarks
{
    private const int Rows = 200_000;
    private const string Key = "cek_bench";
    private readonly byte[] _cek = ColumnKey.Generate();
    private readonly CellBinding _binding = new(EncryptionType.Randomized, "orders", "total");
    private List<(byte[] Batch, int Length)> _batches = [];
    private (EncryptedQueryService Service, EnclaveLink Link, SharedMemory Buffer) _regular;
    private (EncryptedQueryService Service, EnclaveLink Link, SharedMemory Buffer) _switchless;
    private (EncryptedQueryService Service, EnclaveLink Link, SharedMemory Buffer) _policy;

    /// <summary>Rows per batch: one ECALL each.</summary>
    [Params(64, 1024)]
    public int BatchRows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        using (var key = new ColumnKey(_cek))
        {
            _batches = RowBatches.Build(key, _binding, Rows, BatchRows);
        }

        _regular = Start(switchless: false, int.MaxValue);
        _switchless = Start(switchless: true, int.MaxValue);
        _policy = Start(switchless: true, new QueryServiceOptions { ConnectionString = string.Empty }.SwitchlessMaxBatchRows);
        if (!_switchless.Service.Enclave.IsSwitchless || _regular.Service.Enclave.IsSwitchless)
        {
            throw new InvalidOperationException("the switchless feature is not where it should be");
        }

        if (Regular() != Switchless() || Regular() != SwitchlessShortBatchesOnly())
        {
            throw new InvalidOperationException("regular and switchless counts differ");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var side in new[] { _regular, _switchless, _policy })
        {
            side.Buffer?.Dispose();
            side.Link?.DisposeAsync().AsTask().GetAwaiter().GetResult();
            side.Service?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Rows)]
    public long Regular() => RowBatches.CountInEnclave(_regular.Service, _regular.Link, _regular.Buffer, _batches, Key, _cek);

    [Benchmark(OperationsPerInvoke = Rows)]
    public long Switchless() => RowBatches.CountInEnclave(_switchless.Service, _switchless.Link, _switchless.Buffer, _batches, Key, _cek);

    /// <summary>The service's default: switchless for batches up to SwitchlessMaxBatchRows rows, regular above.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public long SwitchlessShortBatchesOnly() => RowBatches.CountInEnclave(_policy.Service, _policy.Link, _policy.Buffer, _batches, Key, _cek);

    private (EncryptedQueryService, EnclaveLink, SharedMemory) Start(bool switchless, int switchlessMaxBatchRows)
    {
        EncryptedQueryService service = BenchEnvironment.StartServiceAsync(BenchEnvironment.ConnectionString, switchless, switchlessMaxBatchRows: switchlessMaxBatchRows).GetAwaiter().GetResult();
        EnclaveLink link = EnclaveLink.ConnectAsync(BenchEnvironment.ClientOptions(BenchEnvironment.ConnectionString, service), CancellationToken.None).GetAwaiter().GetResult();
        return (service, link, service.Enclave.AllocateSharedMemory(_batches.Max(b => b.Length)));
    }
}
