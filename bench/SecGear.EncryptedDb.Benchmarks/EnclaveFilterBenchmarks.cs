using BenchmarkDotNet.Attributes;
using SecGear.EncryptedDb.Client;
using SecGear.EncryptedDb.Service;
using SecGear.Host;

namespace SecGear.EncryptedDb.Benchmarks;

/// <summary>
/// Rows per second filtered inside the enclave for a range predicate on a randomized numeric column
/// (<c>WHERE total BETWEEN 250 AND 750</c>, COUNT(*)), one million candidate rows per operation, already in row-batch
/// form (PostgreSQL is not in the loop). Each operation prepares the plan over the secure channel, feeds the batches
/// through the shared buffer, and reads the sealed result. The floor is the same decrypt-and-compare done by the
/// benchmark process itself with no enclave (ratio). Per-operation time is per row: rows/s = 1e9 / ns.
/// </summary>
[Config(typeof(BenchConfig))]
public class EnclaveFilterBenchmarks
{
    private const int Rows = 1_000_000;
    private const string Key = "cek_bench";
    private readonly byte[] _cek = ColumnKey.Generate();
    private List<(byte[] Batch, int Length)> _batches = [];
    private EncryptedQueryService? _service;
    private EnclaveLink? _link;
    private SharedMemory? _buffer;
    private ColumnKey? _key;
    private readonly CellBinding _binding = new(EncryptionType.Randomized, "orders", "total");

    /// <summary>Rows per batch (one switchless call each).</summary>
    [Params(8192)]
    public int BatchRows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _key = new ColumnKey(_cek);
        _batches = RowBatches.Build(_key, _binding, Rows, BatchRows);
        _service = BenchEnvironment.StartServiceAsync(BenchEnvironment.ConnectionString, switchless: true).GetAwaiter().GetResult();
        _link = EnclaveLink.ConnectAsync(BenchEnvironment.ClientOptions(BenchEnvironment.ConnectionString, _service), CancellationToken.None).GetAwaiter().GetResult();
        _buffer = _service.Enclave.AllocateSharedMemory(_batches.Max(b => b.Length));
        long count = FilterInEnclave();
        long expected = FilterInProcess();
        if (count != expected)
        {
            throw new InvalidOperationException($"the enclave counted {count} rows, the in-process floor {expected}");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _buffer?.Dispose();
        _link?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _service?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _key?.Dispose();
    }

    /// <summary>The floor: decrypt and compare in this process (no enclave, no boundary).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Rows)]
    public long FilterInProcess()
    {
        long count = 0;
        var cells = new List<(int Offset, int Length)>();
        foreach ((byte[] batch, int length) in _batches)
        {
            int rows = RowBatch.Parse(batch.AsSpan(0, length), 2, int.MaxValue, cells);
            for (int r = 0; r < rows; r++)
            {
                (int idOffset, int idLength) = cells[2 * r];
                (int offset, int cellLength) = cells[(2 * r) + 1];
                var value = (decimal)_key!.DecryptValue(batch.AsSpan(offset, cellLength), _binding, batch.AsSpan(idOffset, idLength));
                if (value is >= 250m and <= 750m)
                {
                    count++;
                }
            }
        }

        return count;
    }

    /// <summary>The same filter in the query enclave, fed through shared memory with switchless calls.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public long FilterInEnclave() => RowBatches.CountInEnclave(_service!, _link!, _buffer!, _batches, Key, _cek);
}
