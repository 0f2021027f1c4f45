using System.Security.Cryptography;
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
/// benchmark process itself with no enclave, on one thread (ratio). A second reference, <see cref="PlatformAesGcmOnly"/>,
/// is the platform's AES-256-GCM decryption alone on cells of the same size with associated data of the same length:
/// what one row costs before any parsing, decoding or comparing. Per-operation time is per row: rows/s = 1e9 / ns.
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
    private readonly AesGcm _platform = new(RandomNumberGenerator.GetBytes(32), 16);
    private byte[] _platformCells = [];
    private byte[] _platformAad = [];
    private int _platformCellLength;

    /// <summary>Rows per batch (one switchless call each).</summary>
    [Params(8192)]
    public int BatchRows { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _key = new ColumnKey(_cek);
        _batches = RowBatches.Build(_key, _binding, Rows, BatchRows);
        BuildPlatformCells();
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

    // Cells like the benchmark's (17-byte numeric plaintext) with associated data as long as a real cell's.
    private void BuildPlatformCells()
    {
        int plaintextLength = ValueCodec.Encode(1m).Length;
        _platformCellLength = 12 + plaintextLength + 16;
        _platformAad = new byte[_binding.AadLength(RowReference.Of(ValueCodec.Encode(1L), 1).Length)];
        _platformCells = new byte[Rows * _platformCellLength];
        for (int r = 0; r < Rows; r++)
        {
            Span<byte> cell = _platformCells.AsSpan(r * _platformCellLength, _platformCellLength);
            RandomNumberGenerator.Fill(cell[..12]);
            _platform.Encrypt(cell[..12], ValueCodec.Encode(r / 100m), cell.Slice(12, plaintextLength), cell[^16..], _platformAad);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _buffer?.Dispose();
        _link?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _service?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _key?.Dispose();
        _platform.Dispose();
    }

    /// <summary>The floor: decrypt and compare in this process (no enclave, no boundary).</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Rows)]
    public long FilterInProcess()
    {
        long count = 0;
        var cells = new List<(int Offset, int Length)>();
        Span<byte> reference = stackalloc byte[64];
        foreach ((byte[] batch, int length) in _batches)
        {
            int rows = RowBatch.Parse(batch.AsSpan(0, length), 3, int.MaxValue, cells);
            for (int r = 0; r < rows; r++)
            {
                (int idOffset, int idLength) = cells[3 * r];
                (int versionOffset, int versionLength) = cells[(3 * r) + 1];
                (int offset, int cellLength) = cells[(3 * r) + 2];
                int referenceLength = RowReference.Write(reference, batch.AsSpan(idOffset, idLength), batch.AsSpan(versionOffset, versionLength));
                var value = (decimal)_key!.DecryptValue(batch.AsSpan(offset, cellLength), _binding, reference[..referenceLength]);
                if (value is >= 250m and <= 750m)
                {
                    count++;
                }
            }
        }

        return count;
    }

    /// <summary>The platform primitive alone: one AES-256-GCM decryption per row, nothing else.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public int PlatformAesGcmOnly()
    {
        Span<byte> plaintext = stackalloc byte[64];
        int length = _platformCellLength - 28;
        for (int r = 0; r < Rows; r++)
        {
            ReadOnlySpan<byte> cell = _platformCells.AsSpan(r * _platformCellLength, _platformCellLength);
            _platform.Decrypt(cell[..12], cell.Slice(12, length), cell[^16..], plaintext[..length], _platformAad);
        }

        return length;
    }

    /// <summary>The same filter in the query enclave, fed through shared memory with switchless calls.</summary>
    [Benchmark(OperationsPerInvoke = Rows)]
    public long FilterInEnclave() => RowBatches.CountInEnclave(_service!, _link!, _buffer!, _batches, Key, _cek);
}
