using System.Buffers.Binary;

namespace SecureChannel.Host;

/// <summary>
/// What the host sees of the channel: each relayed frame's (or TLS chunk's) direction, type, length and first
/// bytes, and optionally every relayed byte raw in a file. All of it is handshake data or ciphertext.
/// </summary>
internal sealed class RelayLog(TextWriter output, string? recordPath) : IDisposable
{
    private const int FrameHeaderLength = 5;
    private const int HexPrefixBytes = 48;
    private readonly Lock _gate = new();
    private readonly FileStream? _record = recordPath is null ? null : new FileStream(recordPath, FileMode.Append, FileAccess.Write);

    public void Frame(string direction, ReadOnlySpan<byte> frame)
    {
        lock (_gate)
        {
            string prefix = Convert.ToHexStringLower(frame[..Math.Min(frame.Length, HexPrefixBytes)]);
            output.WriteLine($"relay:        {direction}  type {frame[0]}  {frame.Length,6} bytes  {prefix}...");
            _record?.Write(frame);
            _record?.Flush();
        }
    }

    public void Bytes(string direction, ReadOnlySpan<byte> bytes)
    {
        lock (_gate)
        {
            string prefix = Convert.ToHexStringLower(bytes[..Math.Min(bytes.Length, HexPrefixBytes)]);
            output.WriteLine($"relay:        {direction}  {bytes.Length,6} bytes  {prefix}...");
            _record?.Write(bytes);
            _record?.Flush();
        }
    }

    /// <summary>Splits the enclave's concatenated reply frames; the enclave is trusted to frame them, but is checked anyway.</summary>
    public static IReadOnlyList<byte[]> Split(ReadOnlySpan<byte> replies)
    {
        var frames = new List<byte[]>();
        while (!replies.IsEmpty)
        {
            if (replies.Length < FrameHeaderLength || BinaryPrimitives.ReadUInt32BigEndian(replies[1..]) > (uint)(replies.Length - FrameHeaderLength))
            {
                throw new InvalidDataException("the enclave's reply frames are malformed");
            }

            int length = FrameHeaderLength + (int)BinaryPrimitives.ReadUInt32BigEndian(replies[1..]);
            frames.Add(replies[..length].ToArray());
            replies = replies[length..];
        }

        return frames;
    }

    public void Dispose() => _record?.Dispose();
}
