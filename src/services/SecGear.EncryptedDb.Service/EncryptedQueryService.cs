using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using SecGear.Host;
using SecGear.SecureChannel;

namespace SecGear.EncryptedDb.Service;

/// <summary>
/// The untrusted query service that runs beside PostgreSQL. It starts the query enclave, relays secure channel frames
/// between clients and it (ciphertext and handshake messages only), and for each Execute request runs the candidate
/// SQL on PostgreSQL (which evaluates the plaintext predicates), writes the rows into a shared buffer in batches, feeds
/// them to the enclave (switchless by default) and returns the enclave's sealed result. Wire protocol:
/// <see cref="QueryServiceProtocol"/>; docs/encrypted-db.md.
/// </summary>
public sealed class EncryptedQueryService : IAsyncDisposable
{
    private const int ChannelReplyCapacity = 512 * 1024;
    private const int ResultChunk = 1 << 20;

    private readonly QueryServiceOptions _options;
    private readonly ILogger _logger;
    private readonly Enclave _enclave;
    private readonly EncryptedDbProxy _proxy;
    private readonly NpgsqlDataSource _dataSource;
    private readonly SecureChannelRelay _relay;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _channelLock = new();
    private TcpListener? _listener;
    private Task? _accepting;
    private Timer? _sweeper;
    private int _disposed;

    private EncryptedQueryService(QueryServiceOptions options, Enclave enclave)
    {
        _options = options;
        _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("SecGear.EncryptedDb.Service");
        _enclave = enclave;
        _proxy = new EncryptedDbProxy(enclave, new ServiceOcalls(_logger));
        _dataSource = NpgsqlDataSource.Create(options.ConnectionString);
        _relay = new SecureChannelRelay((frame, _) => new ValueTask<IReadOnlyList<byte[]>>(ForwardFrame(frame)), QueryEnclaveLimits.MaxFrame);
    }

    /// <summary>The enclave's identity (a client pins its measurement and signer).</summary>
    public SecGear.Identity.EnclaveIdentity Identity => _enclave.Identity;

    /// <summary>The enclave (for statistics such as switchless counters).</summary>
    public Enclave Enclave => _enclave;

    /// <summary>Where the service listens, once started.</summary>
    public IPEndPoint? EndPoint => _listener?.LocalEndpoint as IPEndPoint;

    /// <summary>Starts the enclave (simulation engine unless hardware is present) and the service.</summary>
    public static async Task<EncryptedQueryService> StartAsync(QueryServiceOptions options, IPEndPoint endPoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var enclaveOptions = new EnclaveOptions { LoggerFactory = options.LoggerFactory };
        // Switchless is on by default for an enclave that declares transition_using_threads: opt out explicitly.
        enclaveOptions.Features.Add(options.Switchless ? new SwitchlessOptions() : new SwitchlessOptions { Enabled = false });

        Enclave enclave = await Enclave.CreateAsync(options.EnclaveImagePath, EnclaveType.Auto, EnclaveFlags.None, enclaveOptions, cancellationToken).ConfigureAwait(false);
        var service = new EncryptedQueryService(options, enclave);
        service._listener = new TcpListener(endPoint);
        service._listener.Start();
        service._accepting = service.AcceptAsync();
        service._sweeper = new Timer(_ => service.RemoveIdle(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        service._logger.LogInformation("query service on {EndPoint}, enclave {Measurement} ({Engine}, switchless {Switchless})", service.EndPoint, enclave.Identity.MeasurementHex, enclave.EngineName, options.Switchless);
        return service;
    }

    /// <summary>Stops listening, closes connections and destroys the enclave (its keys die with it).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _listener?.Stop();
        if (_accepting is not null)
        {
            await _accepting.ConfigureAwait(false);
        }

        if (_sweeper is not null)
        {
            await _sweeper.DisposeAsync().ConfigureAwait(false);
        }

        await _dataSource.DisposeAsync().ConfigureAwait(false);
        await _enclave.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>
    /// Runs candidate SQL and feeds its rows to the enclave for the prepared query; returns the sealed result and how
    /// many candidate rows and batches went in. Public for the benchmarks; clients use the TCP protocol.
    /// </summary>
    public async Task<(byte[] SealedResult, long Rows, int Batches)> ExecuteAsync(byte[] queryId, string candidateSql, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        long rows = 0;
        int batches = 0;
        using SharedMemory buffer = _enclave.AllocateSharedMemory(_options.BatchBytes);
        try
        {
            await using NpgsqlConnection connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(candidateSql, connection);
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var cells = new Func<NpgsqlDataReader, int, byte[]>[reader.FieldCount];
            for (int i = 0; i < cells.Length; i++)
            {
                cells[i] = CandidateCellReader.For(reader.GetDataTypeName(i));
            }

            int inBatch = 0;
            int offset = RowBatch.HeaderLength;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                int rowStart = offset;
                offset = WriteRow(reader, cells, buffer.Span, offset);
                if (offset < 0)
                {
                    if (inBatch == 0)
                    {
                        throw new EncryptedDbException(EncryptedDbFailureCode.LimitExceeded, $"one candidate row is larger than the {_options.BatchBytes}-byte batch buffer");
                    }

                    Feed(queryId, buffer, inBatch, cells.Length, rowStart);
                    batches++;
                    inBatch = 0;
                    offset = WriteRow(reader, cells, buffer.Span, RowBatch.HeaderLength);
                    if (offset < 0)
                    {
                        throw new EncryptedDbException(EncryptedDbFailureCode.LimitExceeded, $"one candidate row is larger than the {_options.BatchBytes}-byte batch buffer");
                    }
                }

                inBatch++;
                rows++;
                if (inBatch == _options.BatchRows)
                {
                    Feed(queryId, buffer, inBatch, cells.Length, offset);
                    batches++;
                    inBatch = 0;
                    offset = RowBatch.HeaderLength;
                }
            }

            if (inBatch > 0)
            {
                Feed(queryId, buffer, inBatch, cells.Length, offset);
                batches++;
            }
        }
        catch (NpgsqlException ex)
        {
            // Tell the enclave nothing more comes: finishing fails or is skipped; the query is forgotten below.
            DiscardQuery(queryId);
            throw new EncryptedDbException(EncryptedDbFailureCode.ServiceFailure, $"PostgreSQL refused the candidate query: {(ex as PostgresException)?.MessageText ?? ex.Message}", ex);
        }
        catch (EncryptedDbException ex) when (ex.Code != EncryptedDbFailureCode.ServiceFailure)
        {
            throw EnclaveFailure(queryId, ex);
        }

        byte[] sealedResult = CollectResult(queryId);
        _logger.LogInformation("query {QueryId}: {Rows} candidate rows in {Batches} batches, {Bytes}-byte sealed result, {Elapsed} ms", Convert.ToHexStringLower(queryId)[..8], rows, batches, sealedResult.Length, watch.ElapsedMilliseconds);
        return (sealedResult, rows, batches);
    }

    /// <summary>Feeds ready row batches (already in <see cref="RowBatch"/> form) to a prepared query and returns its sealed result; for the benchmarks.</summary>
    internal byte[] Feed(byte[] queryId, IReadOnlyList<(byte[] Batch, int Length)> batches, SharedMemory buffer)
    {
        foreach ((byte[] batch, int length) in batches)
        {
            batch.AsSpan(0, length).CopyTo(buffer.Span);
            int status = QueryRows(queryId, buffer, length, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(batch));
            if (status < 0)
            {
                throw EnclaveFailure(queryId, new EncryptedDbException((EncryptedDbFailureCode)(-status), "the enclave refused a row batch"));
            }
        }

        return CollectResult(queryId);
    }

    // Ends the query's input and copies the sealed result out of the enclave in chunks.
    private byte[] CollectResult(byte[] queryId)
    {
        long length = _proxy.QueryFinish(queryId);
        if (length < 0)
        {
            throw EnclaveFailure(queryId, new EncryptedDbException((EncryptedDbFailureCode)(int)-length, "finishing the query failed"));
        }

        byte[] sealedResult = new byte[length];
        int read = 0;
        byte[] chunk = new byte[ResultChunk];
        while (true)
        {
            int count = _proxy.QueryRead(queryId, chunk);
            if (count < 0)
            {
                throw new EncryptedDbException((EncryptedDbFailureCode)(-count), "reading the sealed result failed");
            }

            if (count == 0)
            {
                break;
            }

            if (read + count > sealedResult.Length)
            {
                throw new EncryptedDbException(EncryptedDbFailureCode.Malformed, "the enclave returned more result bytes than it announced");
            }

            chunk.AsSpan(0, count).CopyTo(sealedResult.AsSpan(read));
            _options.TrafficRecorder?.Invoke("result enclave -> client", chunk.AsMemory(0, count).ToArray());
            read += count;
        }

        return sealedResult;
    }

    private static int WriteRow(NpgsqlDataReader reader, Func<NpgsqlDataReader, int, byte[]>[] cells, Span<byte> destination, int offset)
    {
        for (int i = 0; i < cells.Length && offset >= 0; i++)
        {
            bool isNull = reader.IsDBNull(i);
            offset = RowBatch.WriteCell(destination, offset, isNull ? default : cells[i](reader, i), isNull);
        }

        return offset;
    }

    private void Feed(byte[] queryId, SharedMemory buffer, int rows, int columns, int length)
    {
        RowBatch.WriteHeader(buffer.Span, rows, columns);
        _options.TrafficRecorder?.Invoke("batch service -> enclave", buffer.Span[..length].ToArray());
        int status = QueryRows(queryId, buffer, length, rows);
        if (status < 0)
        {
            throw new EncryptedDbException((EncryptedDbFailureCode)(-status), "the enclave refused a row batch");
        }
    }

    // Short batches switchless (when the enclave is), long ones as regular ECALLs (QueryServiceOptions.SwitchlessMaxBatchRows).
    private int QueryRows(byte[] queryId, SharedMemory buffer, int length, int rows) => rows > _options.SwitchlessMaxBatchRows
        ? _proxy.QueryRowsLong(queryId, buffer.Token, (nuint)length)
        : _proxy.QueryRows(queryId, buffer.Token, (nuint)length);

    // The enclave's own reason (it names a column or a row id, never a value) replaces the service's generic one.
    private EncryptedDbException EnclaveFailure(byte[] queryId, EncryptedDbException ex)
    {
        byte[] message = new byte[2048];
        int length = _proxy.QueryError(queryId, message);
        string reason = length > 0 ? System.Text.Encoding.UTF8.GetString(message, 0, length) : ex.Message;
        _logger.LogWarning("query {QueryId} failed: {Code}: {Reason}", Convert.ToHexStringLower(queryId)[..8], ex.Code, reason);
        return new EncryptedDbException(ex.Code, reason, ex);
    }

    private void DiscardQuery(byte[] queryId) => _proxy.QueryError(queryId, new byte[256]);

    private IReadOnlyList<byte[]> ForwardFrame(ReadOnlyMemory<byte> frame)
    {
        _options.TrafficRecorder?.Invoke("channel client -> enclave", frame);
        byte[] replies = new byte[ChannelReplyCapacity];
        int length;
        lock (_channelLock)
        {
            length = _proxy.ChannelProcess(frame.Span, replies);
        }

        if (length < 0)
        {
            throw new SecureChannelException(SecureChannelFailureCode.SessionClosed, "the enclave refused the frame and closed its session");
        }

        _options.TrafficRecorder?.Invoke("channel enclave -> client", replies.AsMemory(0, length));
        return SplitFrames(replies.AsSpan(0, length));
    }

    // Reply frames are concatenated `type u8 | length u32 | body`; the relay writes each one to the client.
    private static List<byte[]> SplitFrames(ReadOnlySpan<byte> replies)
    {
        var frames = new List<byte[]>();
        while (!replies.IsEmpty)
        {
            if (replies.Length < 5)
            {
                throw new SecureChannelException(SecureChannelFailureCode.MalformedMessage, "the enclave returned a truncated frame");
            }

            int length = 5 + (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(replies[1..]);
            if (length < 5 || length > replies.Length)
            {
                throw new SecureChannelException(SecureChannelFailureCode.MalformedMessage, "the enclave returned a truncated frame");
            }

            frames.Add(replies[..length].ToArray());
            replies = replies[length..];
        }

        return frames;
    }

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client = await _listener!.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
                connections.Add(ServeAsync(client));
                connections.RemoveAll(t => t.IsCompleted);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopping.
        }

        await Task.WhenAll(connections).ConfigureAwait(false);
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            EndPoint? remote = client.Client.RemoteEndPoint;
            try
            {
                NetworkStream stream = client.GetStream();
                byte[] kind = new byte[1];
                await stream.ReadExactlyAsync(kind, _stop.Token).ConfigureAwait(false);
                switch (kind[0])
                {
                    case QueryServiceProtocol.ChannelConnection:
                        await _relay.RunAsync(stream, _stop.Token).ConfigureAwait(false);
                        break;
                    case QueryServiceProtocol.QueryConnection:
                        await ServeQueriesAsync(stream).ConfigureAwait(false);
                        break;
                    default:
                        _logger.LogWarning("connection from {Remote}: unknown connection kind {Kind}", remote, kind[0]);
                        break;
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or EndOfStreamException or SecureChannelException or ObjectDisposedException)
            {
                _logger.LogInformation("connection from {Remote} ended: {Reason}", remote, ex.Message);
            }
        }
    }

    private async Task ServeQueriesAsync(NetworkStream stream)
    {
        while (true)
        {
            (byte Type, byte[] Body)? frame;
            try
            {
                frame = await QueryServiceProtocol.ReadFrameAsync(stream, QueryPlan.QueryIdLength + _options.MaxSqlLength, _stop.Token).ConfigureAwait(false);
            }
            catch (EncryptedDbException ex)
            {
                await QueryServiceProtocol.WriteFrameAsync(stream, QueryServiceProtocol.Error, QueryServiceProtocol.EncodeError(ex.Code, ex.Message), _stop.Token).ConfigureAwait(false);
                return;
            }

            if (frame is null)
            {
                return;
            }

            (byte type, byte[] body) = frame.Value;
            byte[] reply;
            byte replyType;
            try
            {
                if (type != QueryServiceProtocol.Execute || body.Length <= QueryPlan.QueryIdLength)
                {
                    throw new EncryptedDbException(EncryptedDbFailureCode.Malformed, $"expected an Execute frame with a query id and SQL, got type {type} of {body.Length} bytes");
                }

                byte[] queryId = body[..QueryPlan.QueryIdLength];
                string sql = new System.Text.UTF8Encoding(false, true).GetString(body, QueryPlan.QueryIdLength, body.Length - QueryPlan.QueryIdLength);
                _logger.LogDebug("query {QueryId}: candidate SQL {Sql}", Convert.ToHexStringLower(queryId)[..8], sql);
                (byte[] sealedResult, long rows, int batches) = await ExecuteAsync(queryId, sql, _stop.Token).ConfigureAwait(false);
                var w = new BigEndianWriter();
                w.I64(rows);
                w.I32(batches);
                w.Raw(sealedResult);
                reply = w.ToArray();
                replyType = QueryServiceProtocol.Result;
            }
            catch (EncryptedDbException ex)
            {
                reply = QueryServiceProtocol.EncodeError(ex.Code, ex.Message);
                replyType = QueryServiceProtocol.Error;
            }
            catch (System.Text.DecoderFallbackException)
            {
                reply = QueryServiceProtocol.EncodeError(EncryptedDbFailureCode.Malformed, "the candidate SQL is not valid UTF-8");
                replyType = QueryServiceProtocol.Error;
            }

            await QueryServiceProtocol.WriteFrameAsync(stream, replyType, reply, _stop.Token).ConfigureAwait(false);
        }
    }

    private void RemoveIdle()
    {
        try
        {
            lock (_channelLock)
            {
                _proxy.ChannelRemoveIdle();
            }
        }
        catch (SecGearException ex)
        {
            _logger.LogWarning("channel_remove_idle failed: {Reason}", ex.Message);
        }
    }
}
