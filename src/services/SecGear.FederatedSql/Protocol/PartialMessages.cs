using System.Text;

namespace SecGear.FederatedSql.Protocol;

/// <summary>
/// Encodes and decodes the partial-result messages (docs/federated-sql.md, "Wire formats"). Each message is one
/// secure channel record: "FQ", version 1, a <see cref="PartialMessageType"/>, then its body.
/// </summary>
public static class PartialMessages
{
    /// <summary>The protocol version.</summary>
    public const byte Version = 1;

    /// <summary>Bytes of a query id.</summary>
    public const int QueryIdLength = 16;

    /// <summary>Bytes of a nonce.</summary>
    public const int NonceLength = 32;

    /// <summary>The most columns a partial row may have.</summary>
    public const int MaxColumns = 256;

    /// <summary>Encodes a header.</summary>
    public static byte[] Header(PartialHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        var writer = Start(PartialMessageType.Header, 96);
        writer.WriteBytes(Exact(header.QueryId, QueryIdLength, "query id"));
        writer.WriteBytes(Exact(header.Nonce, NonceLength, "nonce"));
        writer.WriteBytes(Exact(header.PlanDigest, 32, "plan digest"));
        writer.WriteUInt32((uint)header.MinGroupRows);
        writer.WriteUInt32((uint)header.ColumnCount);
        return writer.ToArray();
    }

    /// <summary>Starts a chunk: the caller appends <paramref name="rowCount"/> rows of values and takes the bytes.</summary>
    public static RowWriter StartChunk(RowWriter writer, uint index, uint rowCount)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Clear();
        WritePrefix(writer, PartialMessageType.Chunk);
        writer.WriteUInt32(index);
        writer.WriteUInt32(rowCount);
        return writer;
    }

    /// <summary>Encodes a trailer.</summary>
    public static byte[] Trailer(ulong rows, uint chunks)
    {
        var writer = Start(PartialMessageType.Trailer, 16);
        writer.WriteUInt64(rows);
        writer.WriteUInt32(chunks);
        return writer.ToArray();
    }

    /// <summary>Encodes the enclave's acceptance.</summary>
    public static byte[] Accepted(ReadOnlySpan<byte> queryId)
    {
        var writer = Start(PartialMessageType.Accepted, 24);
        writer.WriteBytes(queryId);
        return writer.ToArray();
    }

    /// <summary>Encodes the enclave's rejection.</summary>
    public static byte[] Rejected(string reason)
    {
        var writer = Start(PartialMessageType.Rejected, 64);
        // Short enough that the reply record always fits the host's record-reply buffer.
        byte[] text = Encoding.UTF8.GetBytes(reason.Length > 512 ? reason[..512] : reason);
        writer.WriteUInt32((uint)text.Length);
        writer.WriteBytes(text);
        return writer.ToArray();
    }

    /// <summary>Encodes the roster the enclave shows a site.</summary>
    public static byte[] Roster(ReadOnlySpan<byte> canonicalRoster)
    {
        var writer = Start(PartialMessageType.Roster, canonicalRoster.Length + 8);
        writer.WriteUInt32((uint)canonicalRoster.Length);
        writer.WriteBytes(canonicalRoster);
        return writer.ToArray();
    }

    /// <summary>Reads a roster body.</summary>
    public static byte[] ReadRoster(ref RowReader reader)
    {
        uint length = reader.ReadUInt32();
        if (length > FederationRoster.MaxBytes)
        {
            throw Fail("the roster is too long");
        }

        byte[] roster = reader.ReadBytes((int)length).ToArray();
        ExpectEnd(ref reader);
        return roster;
    }

    /// <summary>Encodes an analyst's request for a held answer.</summary>
    public static byte[] Fetch(ReadOnlySpan<byte> queryId, int minGroupRows, string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var writer = Start(PartialMessageType.Fetch, 64);
        writer.WriteBytes(queryId.Length == QueryIdLength ? queryId : throw new ArgumentException($"the query id must be {QueryIdLength} bytes", nameof(queryId)));
        writer.WriteUInt32((uint)minGroupRows);
        writer.WriteBytes(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(sql)));
        return writer.ToArray();
    }

    /// <summary>Reads a fetch body: query id, k, SHA-256 of the SQL.</summary>
    public static (byte[] QueryId, uint MinGroupRows, byte[] SqlDigest) ReadFetch(ref RowReader reader)
    {
        var result = (reader.ReadBytes(QueryIdLength).ToArray(), reader.ReadUInt32(), reader.ReadBytes(32).ToArray());
        ExpectEnd(ref reader);
        return result;
    }

    /// <summary>Encodes the answer for an analyst (the "FR" encoding after the prefix).</summary>
    public static byte[] Answer(ReadOnlySpan<byte> encodedResult)
    {
        var writer = Start(PartialMessageType.Answer, encodedResult.Length + 8);
        writer.WriteBytes(encodedResult);
        return writer.ToArray();
    }

    /// <summary>Reads the prefix and returns the message type; <paramref name="reader"/> is left at the body.</summary>
    public static PartialMessageType ReadType(ref RowReader reader)
    {
        if (reader.ReadByte() != (byte)'F' || reader.ReadByte() != (byte)'Q')
        {
            throw Fail("the message does not start with FQ");
        }

        byte version = reader.ReadByte();
        if (version != Version)
        {
            throw Fail($"protocol version {version}, expected {Version}");
        }

        byte type = reader.ReadByte();
        return type is >= 1 and <= 8 ? (PartialMessageType)type : throw Fail($"unknown message type {type}");
    }

    /// <summary>Reads a header body.</summary>
    public static PartialHeader ReadHeader(ref RowReader reader)
    {
        byte[] queryId = reader.ReadBytes(QueryIdLength).ToArray();
        byte[] nonce = reader.ReadBytes(NonceLength).ToArray();
        byte[] digest = reader.ReadBytes(32).ToArray();
        uint k = reader.ReadUInt32();
        uint columns = reader.ReadUInt32();
        if (columns == 0 || columns > MaxColumns || k > int.MaxValue)
        {
            throw Fail($"the header's column count {columns} or k {k} is out of range");
        }

        ExpectEnd(ref reader);
        return new PartialHeader(queryId, nonce, digest, (int)k, (int)columns);
    }

    /// <summary>Reads a trailer body.</summary>
    public static (ulong Rows, uint Chunks) ReadTrailer(ref RowReader reader)
    {
        var result = (reader.ReadUInt64(), reader.ReadUInt32());
        ExpectEnd(ref reader);
        return result;
    }

    /// <summary>Reads a rejection's reason.</summary>
    public static string ReadRejected(ref RowReader reader)
    {
        uint length = reader.ReadUInt32();
        if (length > 4096)
        {
            throw Fail("the rejection reason is too long");
        }

        return Encoding.UTF8.GetString(reader.ReadBytes((int)length));
    }

    /// <summary>Fails unless every byte was read.</summary>
    public static void ExpectEnd(ref RowReader reader)
    {
        if (!reader.AtEnd)
        {
            throw Fail("the message has trailing bytes");
        }
    }

    private static RowWriter Start(PartialMessageType type, int capacity)
    {
        var writer = new RowWriter(capacity);
        WritePrefix(writer, type);
        return writer;
    }

    private static void WritePrefix(RowWriter writer, PartialMessageType type)
    {
        writer.WriteByte((byte)'F');
        writer.WriteByte((byte)'Q');
        writer.WriteByte(Version);
        writer.WriteByte((byte)type);
    }

    private static ReadOnlySpan<byte> Exact(byte[] value, int length, string what) =>
        value is not null && value.Length == length ? value : throw new ArgumentException($"the {what} must be {length} bytes", nameof(value));

    private static FederatedSqlException Fail(string message) => new(FederatedSqlFailureCode.PartialResultRejected, "malformed partial result: " + message);
}
