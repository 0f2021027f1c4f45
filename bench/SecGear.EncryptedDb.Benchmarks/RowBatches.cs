using SecGear.EncryptedDb.Client;
using SecGear.EncryptedDb.Service;
using SecGear.Host;

namespace SecGear.EncryptedDb.Benchmarks;

/// <summary>Synthetic candidate rows (row id, row version, randomized total) in row-batch form, and the range-count plan over them.</summary>
internal static class RowBatches
{
    public static List<(byte[] Batch, int Length)> Build(ColumnKey key, CellBinding binding, int rows, int batchRows)
    {
        var random = new Random(17);
        var batches = new List<(byte[], int)>();
        for (int first = 1; first <= rows; first += batchRows)
        {
            int count = Math.Min(batchRows, rows - first + 1);
            byte[] batch = new byte[RowBatch.HeaderLength + (count * 100)];
            RowBatch.WriteHeader(batch, count, 3);
            int offset = RowBatch.HeaderLength;
            for (int id = first; id < first + count; id++)
            {
                byte[] rowId = ValueCodec.Encode((long)id);
                long version = id * 7L;
                offset = RowBatch.WriteCell(batch, offset, rowId, false);
                offset = RowBatch.WriteCell(batch, offset, ValueCodec.Encode(version), false);
                offset = RowBatch.WriteCell(batch, offset, key.Encrypt(ValueCodec.Encode(random.Next(500, 100_000) / 100m), binding, RowReference.Of(rowId, version)), false);
            }

            batches.Add((batch, offset));
        }

        return batches;
    }

    public static QueryPlan RangeCount(byte[] queryId, byte[] resultKey, string keyName) => new()
    {
        QueryId = queryId,
        ResultKey = resultKey,
        Columns =
        [
            new PlanColumn(DbValueType.Int64, EncryptionType.Plain, string.Empty, "orders", "id", null, -1),
            new PlanColumn(DbValueType.Int64, EncryptionType.Plain, string.Empty, "orders", RowReference.VersionColumn, null, -1),
            new PlanColumn(DbValueType.Numeric, EncryptionType.Randomized, keyName, "orders", "total", null, 0, VersionColumn: 1),
        ],
        Filter = new BetweenExpression(new ColumnOperand(2), new LiteralOperand(250m), new LiteralOperand(750m), false),
        Outputs = [new PlanOutput(OutputKind.CountStar, -1)],
    };

    public static long CountInEnclave(EncryptedQueryService service, EnclaveLink link, SharedMemory buffer, List<(byte[] Batch, int Length)> batches, string keyName, byte[] cek)
    {
        (byte[] queryId, byte[] resultKey) = QueryPlan.NewIdentity();
        link.PrepareAsync(RangeCount(queryId, resultKey, keyName), new Dictionary<string, byte[]> { [keyName] = cek }, CancellationToken.None).GetAwaiter().GetResult();
        byte[] sealedResult = service.Feed(queryId, batches, buffer);
        return (long)QueryResult.Open(sealedResult, resultKey, queryId).Rows[0][0]!;
    }
}
