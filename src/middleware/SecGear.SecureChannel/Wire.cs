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
            throw Fail(SecureChannelFailureCode.MalformedMessage, $"a frame is at least {FrameHeaderLength} bytes; got {frame.Length}");
        }

        int length = BodyLength(frame, maxFrameLength);
        if (frame.Length - FrameHeaderLength != length)
        {
            throw Fail(SecureChannelFailureCode.MalformedMessage, $"the frame announces {length} body bytes and carries {frame.Length - FrameHeaderLength}");
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
            throw Fail(SecureChannelFailureCode.FrameTooLarge, $"the frame announces {length} bytes; the limit is {maxFrameLength}");
        }

        return (int)length;
    }

    public static SecureChannelException Fail(SecureChannelFailureCode reason, string message) => new(reason, message);
}
