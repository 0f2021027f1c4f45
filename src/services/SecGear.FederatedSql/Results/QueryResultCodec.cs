using SecGear.FederatedSql.Protocol;

namespace SecGear.FederatedSql.Results;

/// <summary>The answer as it leaves the enclave: "FR", version 1, columns, suppressed-group count, rows.</summary>
public static class QueryResultCodec
{
    /// <summary>The most rows decoded from one answer.</summary>
    public const int MaxRows = 50_000_000;

    /// <summary>Encodes an answer.</summary>
    public static byte[] Encode(QueryResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var writer = new RowWriter(1024 + (result.Rows.Count * result.Columns.Count * 12));
        writer.WriteByte((byte)'F');
        writer.WriteByte((byte)'R');
        writer.WriteByte(1);
        writer.WriteUInt32((uint)result.Columns.Count);
        foreach (string column in result.Columns)
        {
            writer.WriteValue(column);
        }

        writer.WriteUInt64((ulong)result.SuppressedGroups);
        writer.WriteUInt64((ulong)result.Rows.Count);
        foreach (object?[] row in result.Rows)
        {
            foreach (object? value in row)
            {
                writer.WriteValue(value);
            }
        }

        return writer.ToArray();
    }

    /// <summary>Decodes an answer; a malformed one gives <see cref="FederatedSqlException"/>.</summary>
    public static QueryResult Decode(ReadOnlySpan<byte> bytes)
    {
        var reader = new RowReader(bytes);
        if (reader.ReadByte() != (byte)'F' || reader.ReadByte() != (byte)'R' || reader.ReadByte() != 1)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.InvalidState, "the enclave's answer does not start with FR version 1");
        }

        uint columnCount = reader.ReadUInt32();
        if (columnCount == 0 || columnCount > PartialMessages.MaxColumns)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.InvalidState, $"the answer has {columnCount} columns");
        }

        var columns = new List<string>();
        for (int i = 0; i < columnCount; i++)
        {
            columns.Add(reader.ReadValue() as string ?? throw new FederatedSqlException(FederatedSqlFailureCode.InvalidState, "a column name is not a string"));
        }

        long suppressed = (long)reader.ReadUInt64();
        ulong rowCount = reader.ReadUInt64();
        if (rowCount > MaxRows)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.InvalidState, $"the answer has {rowCount} rows, more than the {MaxRows} accepted");
        }

        var rows = new List<object?[]>((int)Math.Min(rowCount, 1 << 20));
        for (ulong r = 0; r < rowCount; r++)
        {
            var row = new object?[columnCount];
            for (int c = 0; c < columnCount; c++)
            {
                row[c] = reader.ReadValue();
            }

            rows.Add(row);
        }

        PartialMessages.ExpectEnd(ref reader);
        return new QueryResult(columns, rows, suppressed);
    }
}
