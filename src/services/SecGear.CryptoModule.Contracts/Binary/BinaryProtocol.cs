using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace SecGear.CryptoModule.Binary;

/// <summary>
/// The binary transport for the hot key operations: one TCP connection carries length-prefixed frames
/// (<c>length(4, LE) payload</c>). The client opens with a hello naming the tenant credential; then each frame is a
/// batch of <see cref="BinaryOperation"/>s under a request id, answered by one frame of <see cref="BinaryResult"/>s in
/// the same order under the same id. Version 2 pipelines: a client may send further batches before the answers to
/// earlier ones arrive, and matches each answer to its batch by the id (the module may answer batches of one
/// connection out of order, and merges batches of all connections into one enclave call). Id 0 is the connection's
/// own: the hello's answer, and the refusal the module sends before it closes a connection whose frame it cannot read.
/// A batch lets concurrent callers share one request and one enclave call. Layouts (integers little-endian):
/// <list type="bullet">
/// <item>hello: <c>'H' version(1) credential(2+n)</c>; answered by a result frame of one result, id 0.</item>
/// <item>batch: <c>'B' id(4) count(2) op*</c>, id &gt; 0, op = <c>op(1) scheme(1) flags(1) version(4) keyId(1+n) data(4+n) iv(4+n) aad(4+n) extra(4+n)</c>.</item>
/// <item>results: <c>'R' id(4) count(2) result*</c>, result = <c>0 version(4) first(4+n) second(4+n)</c> or
/// <c>1 status(2) code(2+n) detail(2+n)</c>.</item>
/// </list>
/// Every reader checks every length against what remains and refuses trailing bytes: both sides are hostile input.
/// </summary>
public static class BinaryProtocol
{
    /// <summary>The protocol version in the hello (2: request ids and pipelining; 1 had neither and is refused).</summary>
    public const byte Version = 2;

    /// <summary>The request id of the hello's answer and of a refusal that closes the connection.</summary>
    public const uint ConnectionId = 0;

    /// <summary>Largest frame either side accepts.</summary>
    public const int MaxFrameBytes = 64 * 1024 * 1024;

    /// <summary>Most operations in one batch.</summary>
    public const int MaxBatch = 256;

    private const byte HelloType = (byte)'H';
    private const byte BatchType = (byte)'B';
    private const byte ResultsType = (byte)'R';
    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    /// <summary>The hello frame (with its length prefix).</summary>
    public static byte[] EncodeHello(string credential)
    {
        byte[] text = Encoding.UTF8.GetBytes(credential);
        if (text.Length > ushort.MaxValue)
        {
            throw new ArgumentException("The credential is too long.", nameof(credential));
        }

        var frame = new byte[4 + 4 + text.Length];
        BinaryPrimitives.WriteInt32LittleEndian(frame, frame.Length - 4);
        frame[4] = HelloType;
        frame[5] = Version;
        BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(6), (ushort)text.Length);
        text.CopyTo(frame, 8);
        return frame;
    }

    /// <summary>Reads a hello payload.</summary>
    public static bool TryDecodeHello(ReadOnlySpan<byte> payload, [NotNullWhen(true)] out string? credential, [NotNullWhen(false)] out string? error)
    {
        credential = null;
        if (payload.Length < 4 || payload[0] != HelloType)
        {
            error = "the first frame must be a hello";
            return false;
        }

        if (payload[1] != Version)
        {
            error = $"protocol version {payload[1]} (this module speaks {Version})";
            return false;
        }

        int length = BinaryPrimitives.ReadUInt16LittleEndian(payload[2..]);
        if (length != payload.Length - 4)
        {
            error = "the hello's credential length does not match the frame";
            return false;
        }

        credential = Encoding.UTF8.GetString(payload[4..]);
        error = null;
        return true;
    }

    /// <summary>A batch frame (with its length prefix) under request id <paramref name="id"/> (not 0).</summary>
    public static byte[] EncodeBatch(uint id, IReadOnlyList<BinaryOperation> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        if (operations.Count is 0 or > MaxBatch)
        {
            throw new ArgumentException($"A batch holds 1-{MaxBatch} operations.", nameof(operations));
        }

        ArgumentOutOfRangeException.ThrowIfEqual(id, ConnectionId);
        long length = 7;
        foreach (var op in operations)
        {
            int keyIdLength = Encoding.UTF8.GetByteCount(op.KeyId);
            if (keyIdLength is 0 or > byte.MaxValue)
            {
                throw new ArgumentException("A key id is 1-255 UTF-8 bytes.", nameof(operations));
            }

            length += 7 + 1 + keyIdLength + 16 + (long)op.Data.Length + op.Iv.Length + op.Aad.Length + op.Extra.Length;
        }

        if (length > MaxFrameBytes)
        {
            throw new ArgumentException($"The batch is larger than {MaxFrameBytes} bytes.", nameof(operations));
        }

        var frame = new byte[4 + length];
        var span = frame.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(span, (int)length);
        span[4] = BatchType;
        BinaryPrimitives.WriteUInt32LittleEndian(span[5..], id);
        BinaryPrimitives.WriteUInt16LittleEndian(span[9..], (ushort)operations.Count);
        int offset = 11;
        foreach (var op in operations)
        {
            span[offset] = (byte)op.Op;
            span[offset + 1] = (byte)op.Scheme;
            span[offset + 2] = (byte)op.Flags;
            BinaryPrimitives.WriteUInt32LittleEndian(span[(offset + 3)..], op.Version);
            int keyIdLength = Encoding.UTF8.GetBytes(op.KeyId, span[(offset + 8)..]);
            span[offset + 7] = (byte)keyIdLength;
            offset += 8 + keyIdLength;
            offset = LengthPrefixed.Put32(span, offset, op.Data.Span);
            offset = LengthPrefixed.Put32(span, offset, op.Iv.Span);
            offset = LengthPrefixed.Put32(span, offset, op.Aad.Span);
            offset = LengthPrefixed.Put32(span, offset, op.Extra.Span);
        }

        return frame;
    }

    /// <summary>Reads a batch payload and its request id; the operations' fields are slices of <paramref name="payload"/>.</summary>
    public static bool TryDecodeBatch(ReadOnlyMemory<byte> payload, out uint id, List<BinaryOperation> operations, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var span = payload.Span;
        id = ConnectionId;
        if (span.Length < 7 || span[0] != BatchType)
        {
            error = "a frame that is not a batch";
            return false;
        }

        id = BinaryPrimitives.ReadUInt32LittleEndian(span[1..]);
        if (id == ConnectionId)
        {
            error = $"a batch under request id {ConnectionId}, which is the connection's own";
            return false;
        }

        int count = BinaryPrimitives.ReadUInt16LittleEndian(span[5..]);
        if (count is 0 or > MaxBatch)
        {
            error = $"a batch of {count} operations (1-{MaxBatch})";
            return false;
        }

        int offset = 7;
        string? lastKeyId = null;
        for (int i = 0; i < count; i++)
        {
            if (span.Length - offset < 8)
            {
                error = $"operation {i} runs past the end of the frame";
                return false;
            }

            var op = (EnclaveOp)span[offset];
            var scheme = (Scheme)span[offset + 1];
            var flags = (EnclaveRequestFlags)span[offset + 2];
            uint version = BinaryPrimitives.ReadUInt32LittleEndian(span[(offset + 3)..]);
            int idLength = span[offset + 7];
            offset += 8;
            if (!BinaryOperation.IsSupported(op))
            {
                error = $"operation {i} is {(byte)op}, which the binary transport does not carry";
                return false;
            }

            if (idLength == 0 || span.Length - offset < idLength)
            {
                error = $"operation {i} has an empty or truncated key id";
                return false;
            }

            string keyId;
            if (lastKeyId is not null && Matches(lastKeyId, span.Slice(offset, idLength)))
            {
                // Batches mostly use one key: one string for all its operations instead of one each.
                keyId = lastKeyId;
            }
            else
            {
                try
                {
                    keyId = StrictUtf8.GetString(span.Slice(offset, idLength));
                }
                catch (ArgumentException)
                {
                    error = $"operation {i}'s key id is not UTF-8";
                    return false;
                }
            }

            lastKeyId = keyId;

            offset += idLength;
            if (!LengthPrefixed.TryTake32(payload, ref offset, out var data) || !LengthPrefixed.TryTake32(payload, ref offset, out var iv)
                || !LengthPrefixed.TryTake32(payload, ref offset, out var aad) || !LengthPrefixed.TryTake32(payload, ref offset, out var extra))
            {
                error = $"a field of operation {i} runs past the end of the frame";
                return false;
            }

            operations.Add(new BinaryOperation(op, keyId) { Scheme = scheme, Flags = flags, Version = version, Data = data, Iv = iv, Aad = aad, Extra = extra });
        }

        if (offset != span.Length)
        {
            error = $"{span.Length - offset} bytes after the last operation";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>A results frame (with its length prefix) answering request <paramref name="id"/>.</summary>
    public static byte[] EncodeResults(uint id, IReadOnlyList<BinaryResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        long length = 7;
        foreach (var result in results)
        {
            length += result.Ok
                ? 1 + 4 + 8 + (long)result.First.Length + result.Second.Length
                : 1 + 2 + 4 + Math.Min(Encoding.UTF8.GetByteCount(result.Code!), 1024) + Math.Min(Encoding.UTF8.GetByteCount(result.Detail ?? string.Empty), 4096);
        }

        var frame = new byte[4 + length];
        var span = frame.AsSpan();
        span[4] = ResultsType;
        BinaryPrimitives.WriteUInt32LittleEndian(span[5..], id);
        BinaryPrimitives.WriteUInt16LittleEndian(span[9..], (ushort)results.Count);
        int offset = 11;
        foreach (var result in results)
        {
            if (result.Ok)
            {
                span[offset] = 0;
                BinaryPrimitives.WriteUInt32LittleEndian(span[(offset + 1)..], result.Version);
                offset = LengthPrefixed.Put32(span, offset + 5, result.First.Span);
                offset = LengthPrefixed.Put32(span, offset, result.Second.Span);
            }
            else
            {
                span[offset] = 1;
                BinaryPrimitives.WriteUInt16LittleEndian(span[(offset + 1)..], (ushort)result.Status);
                offset = PutText(span, offset + 3, result.Code!, 1024);
                offset = PutText(span, offset, result.Detail ?? string.Empty, 4096);
            }
        }

        // Texts are cut at a character boundary, so the frame may be shorter than reserved.
        BinaryPrimitives.WriteInt32LittleEndian(span, offset - 4);
        return offset == frame.Length ? frame : frame[..offset];
    }

    /// <summary>The request id and result count of a results payload; false when it is not one.</summary>
    public static bool TryPeekResults(ReadOnlySpan<byte> payload, out uint id, out int count)
    {
        bool ok = payload.Length >= 7 && payload[0] == ResultsType;
        id = ok ? BinaryPrimitives.ReadUInt32LittleEndian(payload[1..]) : ConnectionId;
        count = ok ? BinaryPrimitives.ReadUInt16LittleEndian(payload[5..]) : 0;
        return ok;
    }

    /// <summary>Reads a results payload of exactly <paramref name="expected"/> results answering request <paramref name="id"/>.</summary>
    public static bool TryDecodeResults(ReadOnlyMemory<byte> payload, uint id, int expected, List<BinaryResult> results, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(results);
        var span = payload.Span;
        if (!TryPeekResults(span, out uint answered, out int count) || answered != id || count != expected)
        {
            error = $"not a frame of {expected} results answering request {id}";
            return false;
        }

        int offset = 7;
        for (int i = 0; i < expected; i++)
        {
            if (span.Length - offset < 1)
            {
                error = $"result {i} runs past the end of the frame";
                return false;
            }

            if (span[offset] == 0 && span.Length - offset >= 5)
            {
                uint version = BinaryPrimitives.ReadUInt32LittleEndian(span[(offset + 1)..]);
                offset += 5;
                if (!LengthPrefixed.TryTake32(payload, ref offset, out var first) || !LengthPrefixed.TryTake32(payload, ref offset, out var second))
                {
                    error = $"result {i} runs past the end of the frame";
                    return false;
                }

                results.Add(new BinaryResult { Version = version, First = first, Second = second });
            }
            else if (span[offset] == 1 && span.Length - offset >= 3)
            {
                int status = BinaryPrimitives.ReadUInt16LittleEndian(span[(offset + 1)..]);
                offset += 3;
                if (!TakeText(span, ref offset, out string? code) || !TakeText(span, ref offset, out string? detail) || code.Length == 0)
                {
                    error = $"refusal {i} runs past the end of the frame";
                    return false;
                }

                results.Add(BinaryResult.Refused(status, code, detail));
            }
            else
            {
                error = $"result {i} has an unknown kind or is truncated";
                return false;
            }
        }

        if (offset != span.Length)
        {
            error = $"{span.Length - offset} bytes after the last result";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>Reads one frame's payload; null at a clean end of stream before a frame starts.</summary>
    /// <exception cref="InvalidDataException">The length is out of range or the stream ends inside a frame.</exception>
    public static byte[]? ReadFrame(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> header = stackalloc byte[4];
        int got = stream.ReadAtLeast(header, 4, throwOnEndOfStream: false);
        if (got == 0)
        {
            return null;
        }

        byte[] payload = new byte[CheckedLength(got, header)];
        stream.ReadExactly(payload);
        return payload;
    }

    /// <summary>Reads one frame's payload; null at a clean end of stream before a frame starts.</summary>
    /// <exception cref="InvalidDataException">The length is out of range or the stream ends inside a frame.</exception>
    public static async ValueTask<byte[]?> ReadFrameAsync(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] header = new byte[4];
        int got = await stream.ReadAtLeastAsync(header, 4, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (got == 0)
        {
            return null;
        }

        byte[] payload = new byte[CheckedLength(got, header)];
        await stream.ReadExactlyAsync(payload, cancellationToken).ConfigureAwait(false);
        return payload;
    }

    private static int CheckedLength(int got, ReadOnlySpan<byte> header)
    {
        if (got < 4)
        {
            throw new InvalidDataException("The stream ended inside a frame header.");
        }

        int length = BinaryPrimitives.ReadInt32LittleEndian(header);
        return length is < 1 or > MaxFrameBytes
            ? throw new InvalidDataException($"A frame of {length} bytes (1-{MaxFrameBytes}).")
            : length;
    }

    private static bool Matches(string text, ReadOnlySpan<byte> utf8)
    {
        // Key ids are short; compare without allocating.
        Span<byte> buffer = stackalloc byte[256];
        return Encoding.UTF8.TryGetBytes(text, buffer, out int written) && buffer[..written].SequenceEqual(utf8);
    }

    private static int PutText(Span<byte> destination, int offset, string text, int max)
    {
        // Cut at a character boundary so the reader always sees valid UTF-8.
        var encoder = Encoding.UTF8.GetEncoder();
        encoder.Convert(text, destination.Slice(offset + 2, Math.Min(Encoding.UTF8.GetByteCount(text), max)), flush: true, out _, out int written, out _);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[offset..], (ushort)written);
        return offset + 2 + written;
    }

    private static bool TakeText(ReadOnlySpan<byte> source, scoped ref int offset, [NotNullWhen(true)] out string? text)
    {
        bool ok = LengthPrefixed.TryTake16(source, ref offset, out var bytes);
        text = ok ? Encoding.UTF8.GetString(bytes) : null;
        return ok;
    }
}
