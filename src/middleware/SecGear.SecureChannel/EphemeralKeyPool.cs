using System.Collections.Concurrent;

namespace SecGear.SecureChannel;

/// <summary>
/// Fresh ephemeral keys generated ahead of use, off the handshake's critical path: on P-384 (generic OpenSSL 3.0
/// arithmetic) and SM2 (managed BouncyCastle) key generation is a millisecond-scale scalar multiplication. Each key is
/// handed out once and never reused, so forward secrecy is unchanged; keys only exist a little earlier. A suite's
/// queue starts filling after its first handshake, on the thread pool, and is topped up after every later one.
/// </summary>
internal sealed class EphemeralKeyPool : IDisposable
{
    private readonly int _depth;
    private readonly ConcurrentDictionary<SecureChannelSuite, Queue> _queues = new();
    private volatile bool _disposed;

    public EphemeralKeyPool(int depth)
    {
        _depth = depth;
    }

    /// <summary>A key nobody else gets: a pre-generated one when ready, else one generated now.</summary>
    public EphemeralKey Take(SuiteInfo suite) =>
        _depth > 0 && _queues.TryGetValue(suite.Suite, out var queue) && queue.Keys.TryDequeue(out var ready)
            ? ready
            : suite.CreateEphemeral();

    /// <summary>
    /// Tops the suite's queue up on the thread pool. The server calls it once a handshake's own expensive steps are
    /// done, so the refill does not compete with the handshake that consumed the key.
    /// </summary>
    public void Replenish(SuiteInfo suite)
    {
        if (_depth > 0)
        {
            Refill(suite, _queues.GetOrAdd(suite.Suite, _ => new Queue()));
        }
    }

    /// <summary>How many keys of <paramref name="suite"/> are ready now (for benchmarks that measure an idle server).</summary>
    public int Ready(SecureChannelSuite suite) => _queues.TryGetValue(suite, out var queue) ? queue.Keys.Count : 0;

    public void Dispose()
    {
        _disposed = true;
        foreach (var queue in _queues.Values)
        {
            Drain(queue);
        }
    }

    private static void Drain(Queue queue)
    {
        while (queue.Keys.TryDequeue(out var key))
        {
            key.Dispose();
        }
    }

    private void Refill(SuiteInfo suite, Queue queue)
    {
        if (_disposed || queue.Keys.Count >= _depth || Interlocked.CompareExchange(ref queue.Refilling, 1, 0) != 0)
        {
            return;
        }

        ThreadPool.UnsafeQueueUserWorkItem(
            _ =>
            {
                try
                {
                    while (!_disposed && queue.Keys.Count < _depth)
                    {
                        queue.Keys.Enqueue(suite.CreateEphemeral());
                    }
                }
                finally
                {
                    Volatile.Write(ref queue.Refilling, 0);
                    if (_disposed)
                    {
                        // Dispose may have drained before the last enqueue: no key outlives the server.
                        Drain(queue);
                    }
                }
            },
            null);
    }

    private sealed class Queue
    {
        public readonly ConcurrentQueue<EphemeralKey> Keys = new();
        public int Refilling;
    }
}
