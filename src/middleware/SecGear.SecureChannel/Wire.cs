using System.Buffers.Binary;

namespace SecGear.SecureChannel;

/// <summary>Wire constants and frame helpers (layouts in docs/secure-channel.md). All integers are big-endian.</summary>
internal static class Wire
{
    public const ushort Version = 1;
    public const int FrameHeaderLength = 5;
    public const int NonceLength = 32;
    public const int SessionIdLength = 16;
    public const int MaxSuites = 8;
    public const int TagLength = 16;
    public const int RecordHeaderLength = SessionIdLength + 4 + 8;
    public const int RecordOverhead = RecordHeaderLength + TagLength;

    public static byte[] Frame(MessageType type, ReadOnlySpan<byte> body)
    {
        var frame = new byte[FrameHeaderLength + body.Length];
        frame[0] = (byte)type;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), body.Length);
        body.CopyTo(frame.AsSpan(FrameHeaderLength));
        return frame;
    }

    /// <summary>Splits one whole frame into its type and body, checking the announced length against the bytes and the limit.</summary>
    public static MessageType Parse(ReadOnlySpan<byte> frame, int maxFrameLength, out ReadOnlySpan<byte> body)
    {
        if (frame.Length < FrameHeaderLength)
        {
            throw Fail(SecureChannelFailureReason.MalformedMessage, $"a frame is at least {FrameHeaderLength} bytes; got {frame.Length}");
        }

        int length = BodyLength(frame, maxFrameLength);
        if (frame.Length - FrameHeaderLength != length)
        {
            throw Fail(SecureChannelFailureReason.MalformedMessage, $"the frame announces {length} body bytes and carries {frame.Length - FrameHeaderLength}");
        }

        body = frame[FrameHeaderLength..];
        return (MessageType)frame[0];
    }

    /// <summary>Reads the body length from a frame header and checks it against the limit.</summary>
    public static int BodyLength(ReadOnlySpan<byte> header, int maxFrameLength)
    {
        uint length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > (uint)maxFrameLength)
        {
            throw Fail(SecureChannelFailureReason.FrameTooLarge, $"the frame announces {length} bytes; the limit is {maxFrameLength}");
        }

        return (int)length;
    }

    /// <summary>Reads one frame from a stream: null at a clean end of stream before any header byte.</summary>
    public static async Task<byte[]?> ReadFrameAsync(Stream stream, int maxFrameLength, CancellationToken cancellationToken)
    {
        var header = new byte[FrameHeaderLength];
        int read = await stream.ReadAtLeastAsync(header, FrameHeaderLength, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            return null;
        }

        if (read < FrameHeaderLength)
        {
            throw Fail(SecureChannelFailureReason.Truncated, $"the transport ended inside a frame header ({read} of {FrameHeaderLength} bytes)");
        }

        int length = BodyLength(header, maxFrameLength);
        var frame = new byte[FrameHeaderLength + length];
        header.CopyTo(frame, 0);
        read = await stream.ReadAtLeastAsync(frame.AsMemory(FrameHeaderLength), length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        if (read < length)
        {
            throw Fail(SecureChannelFailureReason.Truncated, $"the transport ended inside a frame body ({read} of {length} bytes)");
        }

        return frame;
    }

    public static SecureChannelException Fail(SecureChannelFailureReason reason, string message) => new(reason, message);
}
