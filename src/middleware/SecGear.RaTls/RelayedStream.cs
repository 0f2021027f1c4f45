namespace SecGear.RaTls;

/// <summary>
/// The enclave end of a byte connection that the host relays through calls: <see cref="Deliver"/> hands in what the
/// peer sent, <see cref="TakeOutput"/> hands out what was written. A read that finds no bytes stays pending until the
/// next delivery, and that delivery completes it on the delivering thread, so everything the reader does next (a TLS
/// handshake step, the application's reply, OCALLs) runs inside the delivering call until the reader waits again.
/// </summary>
internal sealed class RelayedStream(int maxBufferedBytes) : Stream
{
    private readonly Lock _gate = new();
    private readonly Queue<byte[]> _inbound = new();
    private readonly MemoryStream _outbound = new();
    private int _inboundOffset;
    private int _inboundCount;
    private bool _receivingCompleted;
    private TaskCompletionSource<int>? _pendingRead;
    private Memory<byte> _pendingBuffer;
    private CancellationTokenRegistration _pendingCancellation;

    /// <summary>True while a read waits for bytes that have not arrived: the reader has done all it can.</summary>
    public bool IsWaitingForInput
    {
        get
        {
            lock (_gate)
            {
                return _pendingRead is not null;
            }
        }
    }

    /// <summary>Bytes written and not yet taken.</summary>
    public int PendingOutput
    {
        get
        {
            lock (_gate)
            {
                return (int)_outbound.Length;
            }
        }
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Queues bytes from the peer and completes a waiting read with them (which runs the reader on this thread).</summary>
    /// <exception cref="SecGearException">More than the limit would be held unread.</exception>
    public void Deliver(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }

        TaskCompletionSource<int>? reader;
        int count;
        lock (_gate)
        {
            if (_receivingCompleted)
            {
                throw new InvalidOperationException("bytes were delivered after the end of input");
            }

            if ((long)_inboundCount + bytes.Length > maxBufferedBytes)
            {
                throw new SecGearException(EnclaveStatus.PayloadTooLarge, $"{_inboundCount + (long)bytes.Length} received bytes would be held unread; the limit is {maxBufferedBytes}");
            }

            _inbound.Enqueue(bytes.ToArray());
            _inboundCount += bytes.Length;
            (reader, count) = CompletePendingRead();
        }

        reader?.TrySetResult(count);
    }

    /// <summary>The peer ended the connection: a waiting read and every later one return 0 once the queued bytes are read.</summary>
    public void CompleteReceiving()
    {
        TaskCompletionSource<int>? reader;
        int count;
        lock (_gate)
        {
            _receivingCompleted = true;
            (reader, count) = CompletePendingRead();
        }

        reader?.TrySetResult(count);
    }

    /// <summary>Moves up to <paramref name="destination"/>'s length of written bytes out; returns how many.</summary>
    public int TakeOutput(Span<byte> destination)
    {
        lock (_gate)
        {
            int count = (int)Math.Min(_outbound.Length, destination.Length);
            byte[] all = _outbound.GetBuffer();
            all.AsSpan(0, count).CopyTo(destination);
            int rest = (int)_outbound.Length - count;
            Buffer.BlockCopy(all, count, all, 0, rest);
            _outbound.SetLength(rest);
            return count;
        }
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return ValueTask.FromResult(0);
        }

        lock (_gate)
        {
            if (_pendingRead is not null)
            {
                throw new InvalidOperationException("a read is already pending on the relayed stream");
            }

            if (_inboundCount > 0 || _receivingCompleted)
            {
                return ValueTask.FromResult(CopyInbound(buffer.Span));
            }

            // No RunContinuationsAsynchronously: the delivering thread runs the reader's continuation.
            _pendingRead = new TaskCompletionSource<int>();
            _pendingBuffer = buffer;
            var task = _pendingRead.Task;
            if (cancellationToken.CanBeCanceled)
            {
                var read = _pendingRead;
                _pendingCancellation = cancellationToken.UnsafeRegister(_ => Cancel(read, cancellationToken), null);
            }

            return new ValueTask<int>(task);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("a relayed stream is read asynchronously: a blocking read would wait for the thread that delivers its bytes");

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Append(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Append(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override void Write(byte[] buffer, int offset, int count) => Append(buffer.AsSpan(offset, count));

    // Writes are queued for the host at once; there is nothing to flush.
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private void Append(ReadOnlySpan<byte> bytes)
    {
        lock (_gate)
        {
            if (_outbound.Length + bytes.Length > maxBufferedBytes)
            {
                // Waiting for the host to take output would block the very call that must return it.
                throw new IOException($"{_outbound.Length + bytes.Length} bytes would wait for the host to take them; the limit is {maxBufferedBytes}");
            }

            _outbound.Write(bytes);
        }
    }

    private (TaskCompletionSource<int>? Reader, int Count) CompletePendingRead()
    {
        if (_pendingRead is null)
        {
            return (null, 0);
        }

        var reader = _pendingRead;
        int count = CopyInbound(_pendingBuffer.Span);
        ClearPendingRead();
        return (reader, count);
    }

    private void Cancel(TaskCompletionSource<int> read, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (ReferenceEquals(_pendingRead, read))
            {
                ClearPendingRead();
            }
        }

        read.TrySetCanceled(cancellationToken);
    }

    // Unregister, not Dispose: Dispose would wait for a running cancellation callback, which waits for this lock.
    private void ClearPendingRead()
    {
        _pendingCancellation.Unregister();
        _pendingCancellation = default;
        _pendingRead = null;
        _pendingBuffer = default;
    }

    private int CopyInbound(Span<byte> destination)
    {
        int copied = 0;
        while (copied < destination.Length && _inbound.TryPeek(out var chunk))
        {
            int count = Math.Min(chunk.Length - _inboundOffset, destination.Length - copied);
            chunk.AsSpan(_inboundOffset, count).CopyTo(destination[copied..]);
            copied += count;
            _inboundOffset += count;
            if (_inboundOffset == chunk.Length)
            {
                _inbound.Dequeue();
                _inboundOffset = 0;
            }
        }

        _inboundCount -= copied;
        return copied;
    }
}
