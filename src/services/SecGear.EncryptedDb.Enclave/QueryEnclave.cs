using System.Buffers;
using System.Text;
using SecGear.SecureChannel;
using SecGear.Trusted.Platform;
using SecGear.Trusted.Runtime;

namespace SecGear.EncryptedDb.Enclave;

/// <summary>
/// The query enclave (encrypted_db.edl). Secure channel sessions end here: a client checks this enclave's evidence
/// against its policy, then sends column keys and query plans as channel records. The query service feeds candidate
/// rows for a prepared query through a shared buffer and receives a result sealed with the client's per-query key.
/// Keys live only in <see cref="EnclaveSession"/> objects and die with their session.
/// </summary>
public sealed class QueryEnclave : IEncryptedDbEcalls, IDisposable
{
    /// <summary>Most prepared, unfinished queries at once.</summary>
    public const int MaxOpenQueries = 64;

    /// <summary>Most channel sessions holding keys at once.</summary>
    public const int MaxSessions = 64;

    /// <summary>How long a channel session, and the keys it delivered, survive without a message.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(10);

    /// <summary>Largest row batch accepted (64 MiB).</summary>
    public const int MaxBatchBytes = 64 << 20;

    private readonly Lock _lock = new();
    private readonly EnclaveContext _context;
    private readonly EncryptedDbOcallProxy _host;
    private readonly SecureChannelServer _server;
    private readonly Dictionary<string, EnclaveSession> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, QueryExecution> _queries = new(StringComparer.Ordinal);

    /// <summary>The trusted runtime creates the enclave with its context.</summary>
    public QueryEnclave(EnclaveContext context)
    {
        _context = context;
        _host = new EncryptedDbOcallProxy(context.Ocalls);
        var platform = context.Platform as IAttestingPlatform
            ?? throw new PlatformNotSupportedException("This platform cannot produce attestation evidence.");
        _server = SecureChannelServer.Create(d => platform.GetEvidence(d), Handle, new SecureChannelOptions
        {
            MaxFrameLength = ChannelMaxFrame,
            MaxRecordPayload = ChannelMaxRecord,
            MaxSessions = MaxSessions,
            IdleTimeout = IdleTimeout,
        });
    }

    /// <summary>Largest secure channel frame (handshake frames carry the evidence).</summary>
    public const int ChannelMaxFrame = 256 * 1024;

    /// <summary>Largest channel record (a plan with long IN lists).</summary>
    public const int ChannelMaxRecord = 128 * 1024;

    /// <inheritdoc />
    public int ChannelProcess(ReadOnlySpan<byte> frame, Span<byte> replies)
    {
        IReadOnlyList<byte[]> answer;
        try
        {
            answer = _server.Process(frame);
        }
        catch (SecureChannelException ex)
        {
            _host.PrintMessage($"enclave: refused a channel frame ({ex.Reason})");
            if (ex.AlertFrame.IsEmpty || ex.AlertFrame.Length > replies.Length)
            {
                return -1;
            }

            ex.AlertFrame.Span.CopyTo(replies);
            return ex.AlertFrame.Length;
        }

        int total = answer.Sum(f => f.Length);
        if (total > replies.Length)
        {
            return -2;
        }

        int offset = 0;
        foreach (byte[] reply in answer)
        {
            reply.CopyTo(replies[offset..]);
            offset += reply.Length;
        }

        return total;
    }

    /// <inheritdoc />
    public int ChannelRemoveIdle()
    {
        int removed = _server.RemoveIdleSessions();

        // Keys die with the idle timeout too: the channel server does not say which sessions it dropped, so each key
        // holder keeps its own last-use time.
        lock (_lock)
        {
            DateTimeOffset cutoff = DateTimeOffset.UtcNow - IdleTimeout;
            foreach (string key in _sessions.Where(s => s.Value.LastUsed < cutoff).Select(s => s.Key).ToList())
            {
                DropSession(key);
            }
        }

        return removed;
    }

    /// <inheritdoc />
    public int QueryRowsLong(ReadOnlySpan<byte> queryId, nint batch, nuint batchLen) => QueryRows(queryId, batch, batchLen);

    /// <inheritdoc />
    public int QueryRows(ReadOnlySpan<byte> queryId, nint batch, nuint batchLen)
    {
        QueryExecution? query = Find(queryId);
        if (query is null)
        {
            return -(int)EncryptedDbFailureCode.UnknownQuery;
        }

        byte[]? copy = null;
        try
        {
            using var buffer = _context.OpenSharedMemory(batch);
            if (batchLen > (nuint)Math.Min(buffer.Length, MaxBatchBytes))
            {
                throw new EncryptedDbException(EncryptedDbFailureCode.Malformed, $"a batch of {batchLen} bytes in a buffer of {buffer.Length} (at most {MaxBatchBytes})");
            }

            // One copy out of untrusted memory before parsing: the host cannot change bytes after they were checked.
            int length = (int)batchLen;
            copy = ArrayPool<byte>.Shared.Rent(length);
            buffer.CopyTo(0, copy.AsSpan(0, length));
            query.AddBatch(copy, length);
            return 0;
        }
        catch (EncryptedDbException ex)
        {
            return -(int)ex.Code;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return -(int)EncryptedDbFailureCode.Malformed;
        }
        finally
        {
            if (copy is not null)
            {
                ArrayPool<byte>.Shared.Return(copy, clearArray: true);
            }
        }
    }

    /// <inheritdoc />
    public long QueryFinish(ReadOnlySpan<byte> queryId)
    {
        QueryExecution? query = Find(queryId);
        if (query is null)
        {
            return -(int)EncryptedDbFailureCode.UnknownQuery;
        }

        try
        {
            return query.Finish();
        }
        catch (EncryptedDbException ex)
        {
            return -(int)ex.Code;
        }
    }

    /// <inheritdoc />
    public int QueryRead(ReadOnlySpan<byte> queryId, Span<byte> chunk)
    {
        QueryExecution? query = Find(queryId);
        if (query is null)
        {
            return -(int)EncryptedDbFailureCode.UnknownQuery;
        }

        try
        {
            int count = query.Read(chunk);
            if (count == 0)
            {
                Forget(queryId);
            }

            return count;
        }
        catch (EncryptedDbException ex)
        {
            return -(int)ex.Code;
        }
    }

    /// <inheritdoc />
    public int QueryError(ReadOnlySpan<byte> queryId, Span<byte> message)
    {
        QueryExecution? query = Find(queryId);
        if (query is null)
        {
            return 0;
        }

        Forget(queryId);
        string text = query.Failure?.Message ?? "the query did not fail";
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        int count = Math.Min(bytes.Length, message.Length);
        bytes.AsSpan(0, count).CopyTo(message);
        return count;
    }

    /// <summary>Forgets every session, key and query.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            foreach (EnclaveSession session in _sessions.Values)
            {
                session.Dispose();
            }

            _sessions.Clear();
            _queries.Clear();
        }

        _server.Dispose();
    }

    // A channel record from a client: keys, a plan, or the end of the session. Refusals go back as sealed replies.
    private byte[]? Handle(SecureChannelRequest request)
    {
        ReadOnlySpan<byte> message = request.Message.Span;
        try
        {
            if (message.IsEmpty)
            {
                throw new EncryptedDbException(EncryptedDbFailureCode.Malformed, "an empty message");
            }

            string sessionKey = Convert.ToHexString(request.SessionId.Span);
            lock (_lock)
            {
                switch (message[0])
                {
                    case EnclaveMessage.Keys:
                        EnclaveSession holder = Session(sessionKey, request.SessionId.Span);
                        holder.LastUsed = DateTimeOffset.UtcNow;
                        holder.AddKeys(message[1..]);
                        return EnclaveMessage.Ok();
                    case EnclaveMessage.Prepare:
                    {
                        QueryPlan plan = QueryPlan.Deserialize(message[1..]);
                        EnclaveSession session = _sessions.TryGetValue(sessionKey, out EnclaveSession? s) ? s
                            : throw new EncryptedDbException(EncryptedDbFailureCode.KeyUnavailable, "a plan arrived before any key");
                        session.LastUsed = DateTimeOffset.UtcNow;
                        if (_queries.Count >= MaxOpenQueries)
                        {
                            throw new EncryptedDbException(EncryptedDbFailureCode.LimitExceeded, $"{MaxOpenQueries} queries are open");
                        }

                        string id = Convert.ToHexString(plan.QueryId);
                        if (_queries.ContainsKey(id))
                        {
                            throw new EncryptedDbException(EncryptedDbFailureCode.InvalidQuery, "a query id that is already in use");
                        }

                        _queries[id] = new QueryExecution(plan, session.Keys, session.SessionId);
                        return EnclaveMessage.Ok();
                    }

                    case EnclaveMessage.End:
                        DropSession(sessionKey);
                        return EnclaveMessage.Ok();
                    default:
                        throw new EncryptedDbException(EncryptedDbFailureCode.Malformed, $"an unknown message kind {message[0]}");
                }
            }
        }
        catch (EncryptedDbException ex)
        {
            return EnclaveMessage.Refused(ex);
        }
    }

    private EnclaveSession Session(string key, ReadOnlySpan<byte> sessionId)
    {
        if (!_sessions.TryGetValue(key, out EnclaveSession? session))
        {
            if (_sessions.Count >= MaxSessions)
            {
                throw new EncryptedDbException(EncryptedDbFailureCode.LimitExceeded, $"{MaxSessions} sessions hold keys");
            }

            session = new EnclaveSession(sessionId.ToArray());
            _sessions[key] = session;
        }

        return session;
    }

    private void DropSession(string key)
    {
        if (_sessions.Remove(key, out EnclaveSession? session))
        {
            foreach (string id in _queries.Where(q => session.Is(q.Value.SessionId)).Select(q => q.Key).ToList())
            {
                _queries.Remove(id);
            }

            session.Dispose();
        }
    }

    private QueryExecution? Find(ReadOnlySpan<byte> queryId)
    {
        if (queryId.Length != QueryPlan.QueryIdLength)
        {
            return null;
        }

        lock (_lock)
        {
            return _queries.GetValueOrDefault(Convert.ToHexString(queryId));
        }
    }

    private void Forget(ReadOnlySpan<byte> queryId)
    {
        lock (_lock)
        {
            _queries.Remove(Convert.ToHexString(queryId));
        }
    }
}
