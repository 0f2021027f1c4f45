using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;

namespace SecGear.SecureChannel;

/// <summary>
/// The one frame reader behind every transport: takes whole frames (<c>type u8 | length u32 | body</c>) off a
/// <see cref="PipeReader"/>. The announced length is checked against the limit as soon as the 5-byte header is in,
/// before the body arrives and before anything is allocated for it.
/// </summary>
internal static class FrameReader
{
    /// <summary>Reads one frame: null at a clean end of input before any header byte.</summary>
    /// <exception cref="SecureChannelException"><see cref="SecureChannelFailureCode.FrameTooLarge"/> or <see cref="SecureChannelFailureCode.Truncated"/>.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled, or the reader's pending read was cancelled.</exception>
    public static async ValueTask<byte[]?> ReadAsync(PipeReader input, int maxFrameLength, CancellationToken cancellationToken)
    {
        while (true)
        {
            ReadResult result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySequence<byte> buffer = result.Buffer;
            byte[]? frame;
            try
            {
                frame = TryTake(ref buffer, maxFrameLength);
            }
            catch (SecureChannelException)
            {
                input.AdvanceTo(buffer.Start);
                throw;
            }

            if (frame is not null)
            {
                input.AdvanceTo(buffer.Start);
                return frame;
            }

            if (result.IsCanceled)
            {
                input.AdvanceTo(buffer.Start);
                throw new OperationCanceledException("the transport's pending read was cancelled");
            }

            if (result.IsCompleted)
            {
                // Describe the leftover bytes before handing the buffer back to the pipe.
                var truncated = buffer.IsEmpty ? null : EndedInside(buffer, maxFrameLength);
                input.AdvanceTo(buffer.End);
                return truncated is null ? null : throw truncated;
            }

            // Nothing consumed, everything examined: the next read waits for more bytes.
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Takes one whole frame off the front of <paramref name="buffer"/>, or returns null when it is not all there yet.</summary>
    private static byte[]? TryTake(ref ReadOnlySequence<byte> buffer, int maxFrameLength)
    {
        if (buffer.Length < Wire.FrameHeaderLength)
        {
            return null;
        }

        Span<byte> header = stackalloc byte[Wire.FrameHeaderLength];
        buffer.Slice(0, Wire.FrameHeaderLength).CopyTo(header);
        int length = Wire.BodyLength(header, maxFrameLength);
        long total = Wire.FrameHeaderLength + (long)length;
        if (buffer.Length < total)
        {
            return null;
        }

        var frame = new byte[total];
        buffer.Slice(0, total).CopyTo(frame);
        buffer = buffer.Slice(total);
        return frame;
    }

    private static SecureChannelException EndedInside(ReadOnlySequence<byte> buffer, int maxFrameLength)
    {
        if (buffer.Length < Wire.FrameHeaderLength)
        {
            return Wire.Fail(SecureChannelFailureCode.Truncated, $"the transport ended inside a frame header ({buffer.Length} of {Wire.FrameHeaderLength} bytes)");
        }

        Span<byte> header = stackalloc byte[Wire.FrameHeaderLength];
        buffer.Slice(0, Wire.FrameHeaderLength).CopyTo(header);
        uint length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        return Wire.Fail(SecureChannelFailureCode.Truncated, $"the transport ended inside a frame body ({buffer.Length - Wire.FrameHeaderLength} of {Math.Min(length, (uint)maxFrameLength)} bytes)");
    }
}
