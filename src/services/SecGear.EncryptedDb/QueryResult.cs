using System.Security.Cryptography;

namespace SecGear.EncryptedDb;

/// <summary>
/// The rows a query returns. The enclave encodes them (<c>columns u16 | rows i32 | values</c>, each value as in
/// <see cref="BigEndianWriter.Value"/>) and seals them with the query's result key (AES-256-GCM, zero nonce: the key is
/// fresh for each query and seals exactly one message; associated data <c>"secgear-encdb result v1" | query id</c>),
/// so the query service relays a result it cannot read, alter or swap with another query's.
/// </summary>
public sealed class QueryResult
{
    /// <summary>Largest sealed result accepted (64 MiB).</summary>
    public const int MaxSealedLength = 64 << 20;

    private static readonly byte[] Label = "secgear-encdb result v1"u8.ToArray();

    /// <summary>Creates a result.</summary>
    public QueryResult(int columnCount, IReadOnlyList<object?[]> rows)
    {
        ColumnCount = columnCount;
        Rows = rows;
    }

    /// <summary>Number of columns.</summary>
    public int ColumnCount { get; }

    /// <summary>The rows (values: null, long, decimal, string or DateOnly).</summary>
    public IReadOnlyList<object?[]> Rows { get; }

    /// <summary>Encodes and seals the result for the client.</summary>
    public byte[] Seal(ReadOnlySpan<byte> resultKey, ReadOnlySpan<byte> queryId)
    {
        var w = new BigEndianWriter();
        w.U16(ColumnCount);
        w.I32(Rows.Count);
        foreach (object?[] row in Rows)
        {
            foreach (object? value in row)
            {
                w.Value(value);
            }
        }

        byte[] plaintext = w.ToArray();
        byte[] sealedResult = new byte[plaintext.Length + 16];
        using var gcm = new AesGcm(resultKey, 16);
        gcm.Encrypt(stackalloc byte[12], plaintext, sealedResult.AsSpan(0, plaintext.Length), sealedResult.AsSpan(plaintext.Length), Aad(queryId));
        CryptographicOperations.ZeroMemory(plaintext);
        return sealedResult;
    }

    /// <summary>Opens a sealed result; IntegrityFailure when it was altered or belongs to another query.</summary>
    public static QueryResult Open(ReadOnlySpan<byte> sealedResult, ReadOnlySpan<byte> resultKey, ReadOnlySpan<byte> queryId)
    {
        if (sealedResult.Length < 16 || sealedResult.Length > MaxSealedLength)
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.Malformed, $"a sealed result of {sealedResult.Length} bytes");
        }

        byte[] plaintext = new byte[sealedResult.Length - 16];
        try
        {
            using var gcm = new AesGcm(resultKey, 16);
            gcm.Decrypt(stackalloc byte[12], sealedResult[..^16], sealedResult[^16..], plaintext, Aad(queryId));
        }
        catch (CryptographicException)
        {
            throw new EncryptedDbException(EncryptedDbFailureCode.IntegrityFailure, "the query result failed authentication: altered, or not this query's");
        }

        var r = new BigEndianReader(plaintext);
        int columns = r.U16();
        int count = r.I32();
        if (count < 0 || (columns == 0 && count > 0) || (long)count * columns * 4 > plaintext.Length)
        {
            throw BigEndianReader.Malformed($"a result of {count} rows of {columns} columns");
        }

        var rows = new object?[count][];
        for (int i = 0; i < count; i++)
        {
            var row = new object?[columns];
            for (int c = 0; c < columns; c++)
            {
                row[c] = r.Value();
            }

            rows[i] = row;
        }

        r.End();
        return new QueryResult(columns, rows);
    }

    private static byte[] Aad(ReadOnlySpan<byte> queryId) => [.. Label, .. queryId];
}
