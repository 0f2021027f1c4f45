using System.Net.Sockets;
using SecGear.CryptoModule.Binary;

namespace SecGear.CryptoModule.Client;

/// <summary>
/// The module's binary transport for the hot key operations (sign, verify, encrypt, decrypt, MAC): a few persistent
/// TCP connections, authenticated once with the tenant credential. Concurrent calls are coalesced: while a batch is in
/// flight on every connection, new calls queue and leave together as the next batch, which the module runs in one
/// enclave call. A single caller waits for nothing extra. Answers and refusals are those of the JSON API
/// (<see cref="CryptoModuleException"/> with the same codes). When a connection fails (the module restarted, the
/// network dropped it), the calls it carried fail with <see cref="CryptoModuleClient.Unreachable"/> and the next call
/// on it connects again. Open one with <see cref="CryptoModuleClient.OpenChannelAsync"/>.
/// </summary>
public sealed class CryptoModuleChannel : IAsyncDisposable
{
    // Enough per batch to amortise a round trip, small enough that one batch does not monopolise the enclave.
    private const long MaxBatchBytes = 4 * 1024 * 1024;
    private readonly Lock _lock = new();
    private readonly Queue<Pending> _queue = new();
    private readonly Connection[] _connections;
    private readonly string _host;
    private readonly int _port;
    private readonly string _credential;
    private Exception? _broken;

    private CryptoModuleChannel(Connection[] connections, string host, int port, string credential)
    {
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
        return ValueTask.CompletedTask;
    }

    /// <summary>Connects <paramref name="count"/> connections and authenticates each.</summary>
    internal static async Task<CryptoModuleChannel> ConnectAsync(string host, int port, string credential, int count, CancellationToken cancellationToken)
    {
        var connections = new Connection[count];
        try
        {
            for (int i = 0; i < count; i++)
            {
                connections[i] = new Connection { Stream = await OpenAsync(host, port, credential, cancellationToken).ConfigureAwait(false) };
            }
        }
        catch
        {
            Close(connections);
            throw;
        }

        return new CryptoModuleChannel(connections, host, port, credential);
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
            var answer = await ReadResultsAsync(stream, 1, cancellationToken).ConfigureAwait(false);
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
        Connection? idle = null;
        lock (_lock)
        {
            if (_broken is not null)
            {
                throw Unreachable(_broken);
            }

            _queue.Enqueue(pending);
            foreach (var connection in _connections)
            {
                if (!connection.Busy)
                {
                    connection.Busy = true;
                    idle = connection;
                    break;
                }
            }
        }

        if (idle is not null)
        {
            _ = PumpAsync(idle);
        }

        return pending.Completion.Task;
    }

    private async Task PumpAsync(Connection connection)
    {
        var batch = new List<Pending>();
        var operations = new List<BinaryOperation>();
        var results = new List<BinaryResult>();
        while (true)
        {
            batch.Clear();
            operations.Clear();
            lock (_lock)
            {
                long bytes = 0;
                while (batch.Count < BinaryProtocol.MaxBatch && _queue.TryPeek(out var next) && (batch.Count == 0 || bytes + next.Size <= MaxBatchBytes))
                {
                    batch.Add(_queue.Dequeue());
                    bytes += next.Size;
                }

                if (batch.Count == 0 || _broken is not null)
                {
                    connection.Busy = false;
                    return;
                }
            }

            try
            {
                foreach (var pending in batch)
                {
                    operations.Add(pending.Operation);
                }

                results.Clear();
                results.AddRange(await ExchangeAsync(connection, BinaryProtocol.EncodeBatch(operations), batch.Count).ConfigureAwait(false));
            }
            catch (Exception ex)
            {
                // Only this connection's calls fail; the connection is dropped and the next call on it reconnects.
                var failure = Unreachable(ex);
                foreach (var pending in batch)
                {
                    pending.Completion.TrySetException(failure);
                }

                lock (_lock)
                {
                    connection.Stream?.Dispose();
                    connection.Stream = null;
                    connection.Busy = false;
                }

                // Calls queued meanwhile get their own attempt (another connection, or this one again): none waits
                // for a call that may never come.
                Kick();

                return;
            }

            for (int i = 0; i < batch.Count; i++)
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
    }

    /// <summary>
    /// Sends a batch and reads its answers. A connection that failed earlier connects again here; one that was open
    /// but turns out dead (the module restarted while it sat idle) is replaced once and the batch sent again: the
    /// transport's operations change no state, so a batch the old connection may have delivered is safe to repeat.
    /// </summary>
    private async Task<List<BinaryResult>> ExchangeAsync(Connection connection, byte[] frame, int expected)
    {
        bool reused = connection.Stream is not null;
        try
        {
            connection.Stream ??= await OpenAsync(_host, _port, _credential, CancellationToken.None).ConfigureAwait(false);
            await connection.Stream.WriteAsync(frame).ConfigureAwait(false);
            return await ReadResultsAsync(connection.Stream, expected, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (reused && ex is IOException or SocketException)
        {
            connection.Stream?.Dispose();
            connection.Stream = await OpenAsync(_host, _port, _credential, CancellationToken.None).ConfigureAwait(false);
            await connection.Stream.WriteAsync(frame).ConfigureAwait(false);
            return await ReadResultsAsync(connection.Stream, expected, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Starts a pump on an idle connection when calls are queued and none is running.</summary>
    private void Kick()
    {
        Connection? idle = null;
        lock (_lock)
        {
            if (_queue.Count == 0 || _broken is not null || Array.Exists(_connections, c => c.Busy))
            {
                return;
            }

            idle = _connections[0];
            idle.Busy = true;
        }

        _ = PumpAsync(idle);
    }

    private static async Task<List<BinaryResult>> ReadResultsAsync(Stream stream, int expected, CancellationToken cancellationToken)
    {
        byte[] payload = await BinaryProtocol.ReadFrameAsync(stream, cancellationToken).ConfigureAwait(false)
            ?? throw new IOException("The module closed the connection.");
        var results = new List<BinaryResult>(expected);
        if (BinaryProtocol.TryDecodeResults(payload, expected, results, out string? error))
        {
            return results;
        }

        // The module answers a request it cannot read with one refusal and closes: surface that refusal.
        results.Clear();
        if (expected != 1 && BinaryProtocol.TryDecodeResults(payload, 1, results, out _) && !results[0].Ok)
        {
            throw new CryptoModuleException(results[0].Status, results[0].Code!, results[0].Detail ?? results[0].Code!);
        }

        throw new InvalidDataException($"The module's answer does not match the binary protocol: {error}.");
    }

    private void Break(Exception reason)
    {
        Pending[] stranded;
        lock (_lock)
        {
            _broken ??= reason;
            stranded = [.. _queue];
            _queue.Clear();
        }

        foreach (var pending in stranded)
        {
            pending.Completion.TrySetException(Unreachable(reason));
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

    /// <summary>One connection (null after a failure, until the next call reconnects) and whether a pump runs on it.</summary>
    private sealed class Connection
    {
        public NetworkStream? Stream { get; set; }

        public bool Busy { get; set; }
    }

    /// <summary>A queued call.</summary>
    private sealed class Pending(BinaryOperation operation)
    {
        public BinaryOperation Operation { get; } = operation;

        public long Size { get; } = 64L + operation.Data.Length + operation.Iv.Length + operation.Aad.Length + operation.Extra.Length;

        public TaskCompletionSource<BinaryResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
