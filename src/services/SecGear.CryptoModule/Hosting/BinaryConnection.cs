using System.Collections.Concurrent;
using System.Net.Sockets;

namespace SecGear.CryptoModule.Hosting;

/// <summary>
/// The writing side of one binary transport connection: answers from any merged enclave call are queued and written
/// in turn by one writer, and each answered batch frees one of the connection's <see cref="MaxInFlight"/> slots (the
/// reader takes a slot per batch, so a client that sends without reading stalls only itself). After a write fails
/// (the client went away) answers are dropped, still freeing their slots.
/// </summary>
internal sealed class BinaryConnection(NetworkStream stream)
{
    /// <summary>Batches of one connection read but not yet answered.</summary>
    public const int MaxInFlight = 16;

    private readonly SemaphoreSlim _slots = new(MaxInFlight, MaxInFlight);
    private readonly ConcurrentQueue<byte[]> _outgoing = new();
    private int _writing;
    private volatile bool _closed;

    /// <summary>The connection's stream (the reader reads it; only the writer here writes it once serving started).</summary>
    public NetworkStream Stream => stream;

    /// <summary>Waits for a free slot before the next batch is handed on.</summary>
    public Task WaitForSlotAsync(CancellationToken cancellationToken) => _slots.WaitAsync(cancellationToken);

    /// <summary>
    /// Before the connection closes: waits until every batch handed on has been answered (or dropped), at most
    /// <paramref name="timeout"/>; later answers are dropped, so the caller may then write the stream itself.
    /// </summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        int taken = 0;
        try
        {
            for (; taken < MaxInFlight; taken++)
            {
                await _slots.WaitAsync(limit.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // An enclave call outlived the timeout: the connection closes anyway and its answer is dropped.
        }

        _closed = true;
        if (taken > 0)
        {
            _slots.Release(taken);
        }
    }

    /// <summary>Queues one answer frame; the first answer of an idle connection is written on the calling thread.</summary>
    public void Answer(byte[] frame)
    {
        _outgoing.Enqueue(frame);
        if (Interlocked.Exchange(ref _writing, 1) == 0)
        {
            _ = WriteAsync();
        }
    }

    /// <summary>Stops writing (the connection is closing); queued and later answers are dropped.</summary>
    public void Close() => _closed = true;

    private async Task WriteAsync()
    {
        while (true)
        {
            while (_outgoing.TryDequeue(out var frame))
            {
                if (!_closed)
                {
                    try
                    {
                        await stream.WriteAsync(frame).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
                    {
                        // The client went away with batches in flight: the rest of its answers are dropped.
                        _closed = true;
                    }
                }

                _slots.Release();
            }

            Volatile.Write(ref _writing, 0);
            if (_outgoing.IsEmpty || Interlocked.Exchange(ref _writing, 1) != 0)
            {
                return;
            }
        }
    }
}
