using System.Buffers.Binary;

namespace SecGear.EncryptedDb;

/// <summary>
/// Candidate rows as the query service writes them into a shared buffer for the enclave:
/// <c>rows u32 | columns u16 | for each row, for each column: length i32 (-1 NULL) | bytes</c>, big-endian. Encrypted
/// columns carry their stored ciphertext, plaintext columns their <see cref="ValueCodec"/> encoding. The service is
/// untrusted: the enclave copies the batch out of shared memory once and parses it with every bound checked.
/// </summary>
public static class RowBatch
{
    /// <summary>Bytes of the header.</summary>
    public const int HeaderLength = 6;

    /// <summary>Writes the header for <paramref name="rows"/> rows of <paramref name="columns"/> columns.</summary>
    public static void WriteHeader(Span<byte> destination, int rows, int columns)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, rows);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], checked((ushort)columns));
    }

    /// <summary>Writes one cell at <paramref name="offset"/>; returns the new offset, or -1 when it does not fit.</summary>
    public static int WriteCell(Span<byte> destination, int offset, ReadOnlySpan<byte> cell, bool isNull)
    {
        int needed = 4 + (isNull ? 0 : cell.Length);
        if (offset + needed > destination.Length)
        {
            return -1;
        }

        BinaryPrimitives.WriteInt32BigEndian(destination[offset..], isNull ? -1 : cell.Length);
        if (!isNull)
        {
            cell.CopyTo(destination[(offset + 4)..]);
        }

        return offset + needed;
    }

    /// <summary>
    /// Parses a batch into cell ranges: <paramref name="cells"/>[row * columns + column] is (offset, length), length -1
    /// for NULL. Throws Malformed when the batch disagrees with the expected column count or its own lengths.
    /// </summary>
    public static int Parse(ReadOnlySpan<byte> batch, int expectedColumns, int maxRows, List<(int Offset, int Length)> cells)
    {
        if (batch.Length < HeaderLength)
        {
            throw BigEndianReader.Malformed("a row batch shorter than its header");
        }

        int rows = BinaryPrimitives.ReadInt32BigEndian(batch);
        int columns = BinaryPrimitives.ReadUInt16BigEndian(batch[4..]);
        if (rows < 0 || rows > maxRows)
        {
            throw BigEndianReader.Malformed($"a batch of {rows} rows (at most {maxRows})");
        }

        if (columns != expectedColumns)
        {
            throw BigEndianReader.Malformed($"a batch of {columns} columns where the plan has {expectedColumns}");
        }

        cells.Clear();
        int offset = HeaderLength;
        for (int i = 0; i < rows * columns; i++)
        {
            if (batch.Length - offset < 4)
            {
                throw BigEndianReader.Malformed("a row batch truncated inside a length");
            }

            int length = BinaryPrimitives.ReadInt32BigEndian(batch[offset..]);
            offset += 4;
            if (length == -1)
            {
                cells.Add((offset, -1));
                continue;
            }

            if (length < 0 || length > batch.Length - offset)
            {
                throw BigEndianReader.Malformed($"a cell of {length} bytes with {batch.Length - offset} left");
            }

            cells.Add((offset, length));
            offset += length;
        }

        if (offset != batch.Length)
        {
            throw BigEndianReader.Malformed($"{batch.Length - offset} bytes after the last row");
        }

        return rows;
    }
}
