using System.Buffers.Binary;
using System.Text;

namespace SecGear.EncryptedDb;

/// <summary>
/// The client-to-query-service protocol over TCP. The first byte of a connection says what it carries:
/// <see cref="ChannelConnection"/> (secure channel frames, relayed to the enclave unread) or
/// <see cref="QueryConnection"/> (these frames: <c>type u8 | length u32 | body</c>, big-endian).
/// <list type="bullet">
/// <item><c>1 Execute</c> client to service: <c>query_id[16] | candidate SQL (UTF-8, rest of body)</c>. The SQL
/// holds only plaintext-column predicates and deterministic ciphertexts; the plan stays in the channel.</item>
/// <item><c>2 Result</c> service to client: <c>candidate_rows i64 | batches i32 | sealed result</c>.</item>
/// <item><c>3 Error</c> service to client: <c>code u16 | message (UTF-8)</c>.</item>
/// </list>
/// </summary>
public static class QueryServiceProtocol
{
    /// <summary>First byte of a connection that carries secure channel frames.</summary>
    public const byte ChannelConnection = (byte)'C';

    /// <summary>First byte of a connection that carries query frames.</summary>
    public const byte QueryConnection = (byte)'Q';

    /// <summary>Frame type: execute a prepared query.</summary>
    public const byte Execute = 1;

    /// <summary>Frame type: a sealed result.</summary>
    public const byte Result = 2;

    /// <summary>Frame type: an error.</summary>
    public const byte Error = 3;

    /// <summary>Largest frame body (a sealed result of 64 MiB plus its header).</summary>
    public const int MaxFrameLength = QueryResult.MaxSealedLength + 64;

    /// <summary>Largest candidate SQL text.</summary>
    public const int MaxSqlLength = 1 << 20;

    /// <summary>Writes one frame.</summary>
    public static async Task WriteFrameAsync(Stream stream, byte type, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        byte[] header = new byte[5];
        header[0] = type;
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(1), body.Length);
        await stream.WriteAsync(header, cancellationToken).ConfigureAwait(false);
        await stream.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one frame; null at a clean end of stream; Malformed for an oversized or truncated frame.</summary>
    public static async Task<(byte Type, byte[] Body)?> ReadFrameAsync(Stream stream, int maxLength, CancellationToken cancellationToken)
    {
        byte[] header = new byte[5];
        int read = await stream.ReadAtLeastAsync(header, 5, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            return null;
        }

        if (read < 5)
        {
            throw BigEndianReader.Malformed("a frame header cut short");
        }

        int length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1));
        if (length < 0 || length > maxLength)
        {
            throw BigEndianReader.Malformed($"a frame of {length} bytes (at most {maxLength})");
        }

        byte[] body = new byte[length];
        await stream.ReadExactlyAsync(body, cancellationToken).ConfigureAwait(false);
        return (header[0], body);
    }

    /// <summary>The body of an Error frame.</summary>
    public static byte[] EncodeError(EncryptedDbFailureCode code, string message)
    {
        var w = new BigEndianWriter();
        w.U16((int)code);
        byte[] text = Encoding.UTF8.GetBytes(message.Length > 2000 ? message[..2000] : message);
        w.Raw(text);
        return w.ToArray();
    }

    /// <summary>The exception an Error frame describes.</summary>
    public static EncryptedDbException DecodeError(ReadOnlySpan<byte> body)
    {
        if (body.Length < 2)
        {
            return new EncryptedDbException(EncryptedDbFailureCode.Malformed, "the query service sent a malformed error");
        }

        var code = (EncryptedDbFailureCode)BinaryPrimitives.ReadUInt16BigEndian(body);
        return new EncryptedDbException(Enum.IsDefined(code) ? code : EncryptedDbFailureCode.ServiceFailure, Encoding.UTF8.GetString(body[2..]));
    }
}
