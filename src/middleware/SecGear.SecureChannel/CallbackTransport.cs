using System.IO.Pipelines;

namespace SecGear.SecureChannel;

/// <summary>
/// A transport driven by its owner, like secGear's <c>cc_conn_kit_t</c>: bytes to the peer go out through a send
/// callback, and the owner pushes the bytes it receives from the peer in with <see cref="DeliverAsync"/> (and ends them
/// with <see cref="CompleteReceiving"/>). Use it when the connection is not a stream or pipe, e.g. a message queue,
/// a WebSocket, or an enclave boundary.
/// </summary>
public sealed class CallbackTransport : SecureChannelTransport
{
    /// <summary>The default for the unread-bytes limit: 1 MiB (the default frame limit is 256 KiB).</summary>
    public const long DefaultMaxBufferedBytes = 1024 * 1024;

    private readonly Pipe _received;
    private readonly Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> _send;
    private readonly long _maxBufferedBytes;
    private volatile bool _disposed;

    /// <summary>Creates a transport that sends through <paramref name="send"/>.</summary>
    /// <param name="send">Sends bytes to the peer (they are valid only until the returned task completes; copy them to keep them). A failure it throws reaches the sender (e.g. the relay, which then drops the connection).</param>
    /// <param name="maxBufferedBytes">
    /// The most received bytes held unread: <see cref="DeliverAsync"/> waits while the reader is this far behind. It
    /// must hold the largest frame whole (at least 1 KiB).
    /// </param>
    public CallbackTransport(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> send, long maxBufferedBytes = DefaultMaxBufferedBytes)
        : this(send, maxBufferedBytes, NewPipe(maxBufferedBytes))
    {
    }

    private CallbackTransport(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> send, long maxBufferedBytes, Pipe received)
        : base(received.Reader)
    {
        ArgumentNullException.ThrowIfNull(send);
        _send = send;
        _received = received;
        _maxBufferedBytes = maxBufferedBytes;
    }

    /// <inheritdoc />
    public override long MaxBufferedBytes => _maxBufferedBytes;

    /// <summary>Hands bytes received from the peer to the reader; waits while the reader is <see cref="MaxBufferedBytes"/> behind. One delivery at a time.</summary>
    /// <exception cref="SecureChannelException"><see cref="SecureChannelFailureCode.SessionClosed"/> when the transport no longer reads (disposed).</exception>
    /// <exception cref="InvalidOperationException"><see cref="CompleteReceiving"/> was called before.</exception>
    public async ValueTask DeliverAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        FlushResult result;
        try
        {
            result = _disposed ? new FlushResult(isCanceled: false, isCompleted: true) : await _received.Writer.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException) when (_disposed)
        {
            result = new FlushResult(isCanceled: false, isCompleted: true);
        }

        if (result.IsCompleted)
        {
            throw Wire.Fail(SecureChannelFailureCode.SessionClosed, "the transport no longer reads; the received bytes were dropped");
        }

        if (result.IsCanceled)
        {
            throw new OperationCanceledException("the delivery was cancelled");
        }
    }

    /// <summary>
    /// Tells the reader that the peer ended the connection: a read between frames then returns the end, and one inside
    /// a frame fails <see cref="SecureChannelFailureCode.Truncated"/>.
    /// </summary>
    public void CompleteReceiving() => _received.Writer.Complete();

    /// <inheritdoc />
    public override ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default) => _send(bytes, cancellationToken);

    /// <summary>Stops reading and drops unread bytes; the send callback is not called again by this transport.</summary>
    public override ValueTask DisposeAsync()
    {
        _disposed = true;
        _received.Writer.Complete();
        CompleteInput();
        return ValueTask.CompletedTask;
    }

    private static Pipe NewPipe(long maxBufferedBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBufferedBytes, 1024);
        return new Pipe(new PipeOptions(pauseWriterThreshold: maxBufferedBytes, resumeWriterThreshold: maxBufferedBytes / 2, useSynchronizationContext: false));
    }
}
