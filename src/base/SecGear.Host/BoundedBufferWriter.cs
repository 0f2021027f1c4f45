using System.Buffers;

namespace SecGear.Host;

/// <summary>
/// A growable buffer that refuses to hold more than a fixed number of bytes: a response from the enclave that would
/// exceed it fails with <see cref="MarshalException"/> before the memory is allocated.
/// </summary>
internal sealed class BoundedBufferWriter(int limit) : IBufferWriter<byte>
{
    private byte[] _buffer = new byte[Math.Min(limit, 4096)];

    public int WrittenCount { get; private set; }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > _buffer.Length - WrittenCount)
        {
            throw new InvalidOperationException("Advanced past the end of the span handed out.");
        }

        WrittenCount += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Reserve(sizeHint);
        return _buffer.AsMemory(WrittenCount);
    }

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public byte[] ToArray() => _buffer.AsSpan(0, WrittenCount).ToArray();

    private void Reserve(int sizeHint)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sizeHint);
        int needed = Math.Max(sizeHint, 1);
        if ((long)WrittenCount + needed > limit)
        {
            throw new MarshalException($"The enclave's response exceeds {limit} bytes.");
        }

        if (needed > _buffer.Length - WrittenCount)
        {
            Array.Resize(ref _buffer, (int)Math.Min(limit, Math.Max((long)_buffer.Length * 2, (long)WrittenCount + needed)));
        }
    }
}
