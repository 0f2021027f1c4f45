using System.IO.Pipelines;

namespace SecGear.SecureChannel;

/// <summary>
/// A byte transport between a secure channel peer and the host relay, the analogue of secGear's <c>cc_conn_kit_t</c>:
/// a <see cref="StreamTransport"/> (any <see cref="Stream"/>, TCP included), a <see cref="PipeTransport"/>
/// (<see cref="PipeReader"/>/<see cref="PipeWriter"/> pair) or a <see cref="CallbackTransport"/> (a send callback, with
/// received bytes pushed in by the caller). All of them read frames with one reader that refuses an oversized frame
/// from its header, before its body arrives. <see cref="ReadFrameAsync"/> may run concurrently with
/// <see cref="SendAsync"/>, but neither with itself.
/// </summary>
public abstract class SecureChannelTransport : IAsyncDisposable
{
    private readonly PipeReader _input;

    private protected SecureChannelTransport(PipeReader input)
    {
        _input = input;
    }

    /// <summary>
    /// The most received bytes the transport holds unread (<see cref="long.MaxValue"/> when unbounded). A frame must
    /// fit in it whole, so <see cref="ReadFrameAsync"/> refuses a larger frame limit.
    /// </summary>
    public virtual long MaxBufferedBytes => long.MaxValue;

    /// <summary>
    /// Reads one whole frame (<c>type u8 | length u32 | body</c>, header included), or null when the peer ended the
    /// transport cleanly between frames.
    /// </summary>
    /// <param name="maxFrameLength">The largest body accepted; a larger announced length fails before anything is allocated for it.</param>
    /// <param name="cancellationToken">Cancels the wait for bytes.</param>
    /// <exception cref="SecureChannelException"><see cref="SecureChannelFailureCode.FrameTooLarge"/>, or <see cref="SecureChannelFailureCode.Truncated"/> when the peer ends the transport inside a frame.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A frame of <paramref name="maxFrameLength"/> would not fit in <see cref="MaxBufferedBytes"/>.</exception>
    public ValueTask<byte[]?> ReadFrameAsync(int maxFrameLength, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxFrameLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)maxFrameLength + Wire.FrameHeaderLength, MaxBufferedBytes, nameof(maxFrameLength));
        return FrameReader.ReadAsync(_input, maxFrameLength, cancellationToken);
    }

    /// <summary>Sends bytes (usually one or more whole frames) to the peer and flushes them.</summary>
    /// <exception cref="SecureChannelException"><see cref="SecureChannelFailureCode.Truncated"/> when the peer no longer reads.</exception>
    public abstract ValueTask SendAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default);

    /// <summary>
    /// The transport as a plain byte <see cref="Stream"/>, for code that speaks <see cref="Stream"/>: e.g. an
    /// <c>SslStream</c> whose TLS records the host relays (the secure channel client takes a transport directly). Use
    /// either the stream or <see cref="ReadFrameAsync"/> for reading, not both. A <see cref="StreamTransport"/> returns
    /// its own stream; for the other kinds, disposing the returned stream does not dispose the transport.
    /// </summary>
    public virtual Stream AsStream() => new TransportStream(this, _input);

    /// <summary>Releases the transport (what it owns is listed on each transport's constructor).</summary>
    public abstract ValueTask DisposeAsync();

    /// <summary>Tells the pipe reader that nothing more will be read.</summary>
    private protected void CompleteInput() => _input.Complete();
}
