using System.Net.Sockets;
using SecGear.CryptoModule.Binary;

namespace SecGear.CryptoModule.Client;

/// <summary>
/// The module's binary transport for the hot key operations (sign, verify, encrypt, decrypt, MAC): a few persistent
/// TCP connections, authenticated once with the tenant credential. Concurrent calls are coalesced: calls that arrive
/// together leave together as one batch, and each connection pipelines up to eight batches (answers are matched to
/// batches by request id), which the module merges with other connections' batches into one enclave call. A single
/// caller waits for nothing extra. Answers and refusals are those of the JSON API
/// (<see cref="CryptoModuleException"/> with the same codes). When a connection fails (the module restarted, the
/// network dropped it), the calls it carried fail with <see cref="CryptoModuleClient.Unreachable"/> and the next call
/// on it connects again. Open one with <see cref="CryptoModuleClient.OpenChannelAsync"/>.
/// </summary>
public sealed class CryptoModuleChannel : IAsyncDisposable
{
    // Enough per batch to amortise a round trip, small enough that one batch does not monopolise the enclave.
    private const long MaxBatchBytes = 4 * 1024 * 1024;

    // Batches one connection carries before an answer comes back: enough to keep the module's merger fed while
    // answers travel, well under the module's own limit per connection (16).
    private const int MaxInFlight = 8;
    private static readonly TimeSpan BackstopDelay = TimeSpan.FromMilliseconds(2);
    private readonly Timer _backstop;
    private readonly Lock _lock = new();
    private readonly Queue<Pending> _queue = new();
    private readonly Connection[] _connections;
    private readonly string _host;
    private readonly int _port;
    private readonly string _credential;
    private Exception? _broken;
    private bool _flushing;

    // The channel whose answer this thread is completing (see Complete).
    [ThreadStatic]
    private static CryptoModuleChannel? t_completing;

    private CryptoModuleChannel(Connection[] connections, string host, int port, string credential)
    {
        _backstop = new Timer(static channel => ((CryptoModuleChannel)channel!).FlushIfIdle(), this, Timeout.Infinite, Timeout.Infinite);
        _connections = connections;
        _host = host;
        _port = port;
        _credential = credential;
    }

    /// <summary>Signs with the key's primary version.</summary>
    public async Task<SignResponse> SignAsync(string id, SignRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Data);
        var result = await RunAsync(new BinaryOperation(EnclaveOp.Sign, id)
        {
            Scheme = request.Scheme,
            Flags = request.Prehashed ? EnclaveRequestFlags.Prehashed : EnclaveRequestFlags.None,
            Data = request.Data,
            Extra = request.UserId,
        }).ConfigureAwait(false);
        return new SignResponse(result.First.ToArray(), result.Version);
    }

    /// <summary>Verifies a signature.</summary>
    public async Task<VerifyResponse> VerifyAsync(string id, VerifyRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Data);
        ArgumentNullException.ThrowIfNull(request.Signature);
        var result = await RunAsync(new BinaryOperation(EnclaveOp.Verify, id)
        {
            Scheme = request.Scheme,
            Flags = request.Prehashed ? EnclaveRequestFlags.Prehashed : EnclaveRequestFlags.None,
            Version = request.Version ?? 0,
            Data = request.Data,
            Extra = request.Signature,
            Iv = request.UserId,
        }).ConfigureAwait(false);
        return new VerifyResponse(result.First.Span is [1], result.Version);
    }

    /// <summary>Encrypts with the key's primary version.</summary>
    public async Task<EncryptResponse> EncryptAsync(string id, EncryptRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Plaintext);
        var result = await RunAsync(new BinaryOperation(EnclaveOp.Encrypt, id)
        {
            Scheme = request.Scheme,
            Data = request.Plaintext,
            Iv = request.Iv,
            Aad = request.Aad,
        }).ConfigureAwait(false);
        return new EncryptResponse(result.First.ToArray(), result.Second.IsEmpty ? null : result.Second.ToArray(), result.Version);
    }

    /// <summary>Decrypts.</summary>
    public async Task<DecryptResponse> DecryptAsync(string id, DecryptRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Ciphertext);
        var result = await RunAsync(new BinaryOperation(EnclaveOp.Decrypt, id)
        {
            Scheme = request.Scheme,
            Version = request.Version ?? 0,
            Data = request.Ciphertext,
            Iv = request.Iv,
            Aad = request.Aad,
        }).ConfigureAwait(false);
        return new DecryptResponse(result.First.ToArray());
    }

    /// <summary>Computes a MAC with the key's primary version.</summary>
    public async Task<MacResponse> MacAsync(string id, MacRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Data);
        var result = await RunAsync(new BinaryOperation(EnclaveOp.Mac, id) { Data = request.Data }).ConfigureAwait(false);
        return new MacResponse(result.First.ToArray(), result.Version);
    }

    /// <summary>Verifies a MAC.</summary>
    public async Task<VerifyResponse> MacVerifyAsync(string id, MacVerifyRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(request.Data);
        ArgumentNullException.ThrowIfNull(request.Mac);
        var result = await RunAsync(new BinaryOperation(EnclaveOp.MacVerify, id) { Version = request.Version ?? 0, Data = request.Data, Extra = request.Mac })
            .ConfigureAwait(false);
        return new VerifyResponse(result.First.Span is [1], result.Version);
    }

    /// <summary>Closes the connections; calls still queued fail with <see cref="CryptoModuleClient.Unreachable"/>.</summary>
    public ValueTask DisposeAsync()
    {
        Break(new ObjectDisposedException(nameof(CryptoModuleChannel)));
        _backstop.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Connects <paramref name="count"/> connections and authenticates each.</summary>
    internal static async Task<CryptoModuleChannel> ConnectAsync(string host, int port, string credential, int count, CancellationToken cancellationToken)
    {
        var streams = new NetworkStream[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                streams[i] = await OpenAsync(host, port, credential, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            foreach (var stream in streams)
            {
                stream?.Dispose();
            }

            throw;
        }

        var channel = new CryptoModuleChannel([.. streams.Select(_ => new Connection())], host, port, credential);
        for (int i = 0; i < count; i++)
        {
            channel.Listen(channel._connections[i], streams[i]);
        }

        return channel;
    }

    /// <summary>One authenticated connection; the module's refusal of the hello as its <see cref="CryptoModuleException"/>.</summary>
    private static async Task<NetworkStream> OpenAsync(string host, int port, string credential, CancellationToken cancellationToken)
    {
        NetworkStream? stream = null;
        try
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                socket.Dispose();
                throw;
            }

            stream = new NetworkStream(socket, ownsSocket: true);
            await stream.WriteAsync(BinaryProtocol.EncodeHello(credential), cancellationToken).ConfigureAwait(false);
            byte[] payload = await BinaryProtocol.ReadFrameAsync(stream, cancellationToken).ConfigureAwait(false)
                ?? throw new IOException("The module closed the connection.");
            var answer = new List<BinaryResult>(1);
            if (!BinaryProtocol.TryDecodeResults(payload, BinaryProtocol.ConnectionId, 1, answer, out string? error))
            {
                throw new InvalidDataException($"The module's answer to the hello does not match the binary protocol: {error}.");
            }

            return answer[0].Ok ? stream : throw new CryptoModuleException(answer[0].Status, answer[0].Code!, answer[0].Detail ?? answer[0].Code!);
        }
        catch (Exception ex) when (ex is SocketException or IOException or InvalidDataException)
        {
            stream?.Dispose();
            throw new CryptoModuleException(0, CryptoModuleClient.Unreachable, $"The module's binary transport at {host}:{port} is unreachable: {ex.Message}", ex);
        }
        catch
        {
            stream?.Dispose();
            throw;
        }
    }

    private Task<BinaryResult> RunAsync(BinaryOperation operation)
    {
        var pending = new Pending(operation);
        bool schedule;
        lock (_lock)
        {
            if (_broken is not null)
            {
                throw Unreachable(_broken);
            }

            _queue.Enqueue(pending);
            // A call made by a continuation that an answer is completing is sent by the flush after the last one.
            schedule = !_flushing && t_completing != this;
            _flushing |= schedule;
        }

        if (schedule)
        {
            // Not on the caller's thread: callers that arrive meanwhile (the continuations of one answer frame) join
            // the same batch.
            ThreadPool.UnsafeQueueUserWorkItem(static channel => _ = channel.FlushAsync(), this, preferLocal: false);
        }

        return pending.Completion.Task;
    }

    /// <summary>
    /// The one sender: while calls are queued and a connection has a free slot, takes a batch, gives it the next
    /// request id and writes it, connecting first if the connection is down. Stops when the queue is empty or every
    /// connection has <see cref="MaxInFlight"/> batches unanswered (a reader restarts it when an answer frees one).
    /// </summary>
    private async Task FlushAsync()
    {
        var operations = new List<BinaryOperation>();
        while (true)
        {
            Connection? connection = null;
            Pending[] batch;
            lock (_lock)
            {
                if (_broken is null && _queue.Count > 0)
                {
                    foreach (var candidate in _connections)
                    {
                        if (candidate.Load < MaxInFlight && (connection is null || candidate.Load < connection.Load))
                        {
                            connection = candidate;
                        }
                    }
                }

                if (connection is null)
                {
                    _flushing = false;
                    return;
                }

                batch = TakeBatch();
                connection.Reserved++;
            }

            operations.Clear();
            foreach (var pending in batch)
            {
                operations.Add(pending.Operation);
            }

            await SendAsync(connection, batch, operations).ConfigureAwait(false);
        }
    }

    /// <summary>Takes up to <see cref="BinaryProtocol.MaxBatch"/> queued calls within <see cref="MaxBatchBytes"/> (under the lock).</summary>
    private Pending[] TakeBatch()
    {
        int count = 0;
        long bytes = 0;
        foreach (var next in _queue)
        {
            if (count == BinaryProtocol.MaxBatch || (count > 0 && bytes + next.Size > MaxBatchBytes))
            {
                break;
            }

            count++;
            bytes += next.Size;
        }

        var batch = new Pending[count];
        for (int i = 0; i < count; i++)
        {
            batch[i] = _queue.Dequeue();
        }

        return batch;
    }

    private async Task SendAsync(Connection connection, Pending[] batch, List<BinaryOperation> operations)
    {
        Exception? failure = null;
        if (connection.Stream is null)
        {
            try
            {
                var opened = await OpenAsync(_host, _port, _credential, CancellationToken.None).ConfigureAwait(false);
                Listen(connection, opened);
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        }

        NetworkStream? stream = null;
        uint id = 0;
        lock (_lock)
        {
            connection.Reserved--;
            if (failure is null)
            {
                stream = connection.Stream;
                if (stream is null)
                {
                    failure = new IOException("The connection failed while the batch was being sent.");
                }
                else
                {
                    id = connection.NextId++;
                    if (connection.NextId == BinaryProtocol.ConnectionId)
                    {
                        connection.NextId++;
                    }

                    connection.InFlight[id] = batch;
                }
            }
        }

        if (failure is not null || stream is null)
        {
            Fail(batch, failure!);
            return;
        }

        try
        {
            await stream.WriteAsync(BinaryProtocol.EncodeBatch(id, operations)).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // The reader sees the same failure; this batch's calls fail with it either way.
            Drop(connection, stream, ex);
        }
    }

    /// <summary>Makes <paramref name="stream"/> the connection's and starts reading its answers.</summary>
    private void Listen(Connection connection, NetworkStream stream)
    {
        long generation;
        lock (_lock)
        {
            connection.Stream = stream;
            generation = ++connection.Generation;
        }

        _ = ReadAsync(connection, stream, generation);
    }

    /// <summary>
    /// Reads one connection's answers and completes the batch each names. An answer that names no batch in flight,
    /// or does not match the protocol, breaks the connection: its calls fail typed and the next call reconnects.
    /// </summary>
    private async Task ReadAsync(Connection connection, NetworkStream stream, long generation)
    {
        var results = new List<BinaryResult>();
        try
        {
            while (true)
            {
                byte[] payload = await BinaryProtocol.ReadFrameAsync(stream, CancellationToken.None).ConfigureAwait(false)
                    ?? throw new IOException("The module closed the connection.");
                if (!BinaryProtocol.TryPeekResults(payload, out uint id, out int count))
                {
                    throw new InvalidDataException("The module's answer does not match the binary protocol: not a results frame.");
                }

                Pending[]? batch;
                lock (_lock)
                {
                    connection.InFlight.Remove(id, out batch);
                }

                results.Clear();
                string? error = null;
                if (batch is null || !BinaryProtocol.TryDecodeResults(payload, id, batch.Length, results, out error))
                {
                    // The module refuses a frame it cannot read under the connection's own id, then closes.
                    if (id == BinaryProtocol.ConnectionId && BinaryProtocol.TryDecodeResults(payload, id, 1, results, out _) && !results[0].Ok)
                    {
                        throw new CryptoModuleException(results[0].Status, results[0].Code!, results[0].Detail ?? results[0].Code!);
                    }

                    if (batch is not null)
                    {
                        Fail(batch, new InvalidDataException($"The module's answer does not match the binary protocol: {error}."));
                    }

                    throw new InvalidDataException($"The module answered request {id}, which is not in flight on this connection.");
                }

                // One work item per answer frame completes its calls; the reader goes on reading.
                ThreadPool.UnsafeQueueUserWorkItem(new Answer(this, batch, [.. results]), preferLocal: false);
            }
        }
        catch (Exception ex)
        {
            lock (_lock)
            {
                if (connection.Generation != generation)
                {
                    return;
                }
            }

            Drop(connection, stream, ex);
        }
    }

    /// <summary>
    /// Drops a failed connection: the calls it carries fail with <paramref name="reason"/> (as
    /// <see cref="CryptoModuleClient.Unreachable"/> unless it is a refusal), and the next batch sent on it reconnects.
    /// </summary>
    private void Drop(Connection connection, NetworkStream stream, Exception reason)
    {
        Pending[][] stranded;
        bool flush = false;
        lock (_lock)
        {
            if (!ReferenceEquals(connection.Stream, stream))
            {
                return;
            }

            connection.Stream = null;
            connection.Generation++;
            stranded = [.. connection.InFlight.Values];
            connection.InFlight.Clear();
            if (_queue.Count > 0 && !_flushing && _broken is null)
            {
                _flushing = flush = true;
            }
        }

        stream.Dispose();
        foreach (var batch in stranded)
        {
            Fail(batch, reason);
        }

        // Calls queued meanwhile get their own attempt: none waits for an answer that will never come.
        if (flush)
        {
            _ = FlushAsync();
        }
    }

    /// <summary>
    /// Completes the calls of one answer frame. Their continuations run right here, one after another, and the calls
    /// they make join the queue without a flush each: one flush after the last sends them as one batch (that is
    /// what keeps 32 callers in ~1 frame per round instead of 32). A continuation that blocks (waiting on another
    /// call) would hold that flush back, so a timer flushes anyway after <see cref="BackstopDelay"/>.
    /// </summary>
    private void Complete(Pending[] batch, BinaryResult[] results)
    {
        t_completing = this;
        _backstop.Change(BackstopDelay, Timeout.InfiniteTimeSpan);
        try
        {
            for (int i = 0; i < batch.Length; i++)
            {
                var result = results[i];
                if (result.Ok)
                {
                    batch[i].Completion.TrySetResult(result);
                }
                else
                {
                    batch[i].Completion.TrySetException(new CryptoModuleException(result.Status, result.Code!, result.Detail ?? result.Code!));
                }
            }
        }
        finally
        {
            t_completing = null;
            _backstop.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }

        FlushIfIdle();
    }

    /// <summary>Starts the sender when calls wait and none runs.</summary>
    private void FlushIfIdle()
    {
        bool flush = false;
        lock (_lock)
        {
            if (_queue.Count > 0 && !_flushing && _broken is null)
            {
                _flushing = flush = true;
            }
        }

        if (flush)
        {
            _ = FlushAsync();
        }
    }

    private void Fail(Pending[] batch, Exception reason)
    {
        var failure = Unreachable(reason);
        foreach (var pending in batch)
        {
            pending.Completion.TrySetException(failure);
        }
    }

    private void Break(Exception reason)
    {
        Pending[] stranded;
        Pending[][] inFlight;
        lock (_lock)
        {
            _broken ??= reason;
            stranded = [.. _queue];
            _queue.Clear();
            inFlight = [.. _connections.SelectMany(c => c.InFlight.Values)];
            foreach (var connection in _connections)
            {
                connection.InFlight.Clear();
            }
        }

        Fail(stranded, reason);
        foreach (var batch in inFlight)
        {
            Fail(batch, reason);
        }

        Close(_connections);
    }

    private static void Close(Connection?[] connections)
    {
        foreach (var connection in connections)
        {
            connection?.Stream?.Dispose();
        }
    }

    private CryptoModuleException Unreachable(Exception reason) => reason as CryptoModuleException
        ?? new CryptoModuleException(0, CryptoModuleClient.Unreachable, $"The module's binary transport at {_host}:{_port} failed: {reason.Message}", reason);

    /// <summary>
    /// One connection (its stream null after a failure, until the next batch reconnects), its batches in flight by
    /// request id, and a generation that tells a stale reader from the current one.
    /// </summary>
    private sealed class Connection
    {
        public NetworkStream? Stream { get; set; }

        public long Generation { get; set; }

        public uint NextId { get; set; } = 1;

        /// <summary>Batches taken for this connection but not yet registered (counted against its slots).</summary>
        public int Reserved { get; set; }

        public Dictionary<uint, Pending[]> InFlight { get; } = [];

        /// <summary>Batches sent or being sent and not yet answered.</summary>
        public int Load => InFlight.Count + Reserved;
    }

    /// <summary>One answer frame's completion, queued as one thread-pool item.</summary>
    private sealed class Answer(CryptoModuleChannel channel, Pending[] batch, BinaryResult[] results) : IThreadPoolWorkItem
    {
        public void Execute() => channel.Complete(batch, results);
    }

    /// <summary>A queued call.</summary>
    private sealed class Pending(BinaryOperation operation)
    {
        public BinaryOperation Operation { get; } = operation;

        public long Size { get; } = 64L + operation.Data.Length + operation.Iv.Length + operation.Aad.Length + operation.Extra.Length;

        // Continuations run where the answer is completed (see Complete), not as one thread-pool item each.
        public TaskCompletionSource<BinaryResult> Completion { get; } = new();
    }
}
