using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using SecGear.FederatedSql.Interop;
using SecGear.FederatedSql.Protocol;
using SecGear.FederatedSql.Results;
using SecGear.SecureChannel;
using SecGear.Trusted.Platform;
using SecGear.Trusted.Runtime;

namespace SecGear.FederatedSql.Enclave;

/// <summary>
/// The aggregation enclave at site A (federated_sql.edl). It terminates every site's attested secure channel (sites
/// authenticate with pinned client certificates), hands the decrypted partial results to a
/// <see cref="FederatedAggregator"/>, and releases only plans, channel frames and disclosure-controlled answers.
/// </summary>
public sealed class AggregationEnclave : IFederatedSqlEcalls, IDisposable
{
    private const int FrameHeaderLength = 5;
    private readonly EnclaveContext _context;
    private readonly FederatedSqlOcallProxy _host;
    private readonly IAttestingPlatform _platform;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, byte[]> _answers = new(StringComparer.Ordinal);
    private FederatedAggregator? _aggregator;
    private SecureChannelServer? _server;

    /// <summary>The trusted runtime creates the enclave with its context.</summary>
    public AggregationEnclave(EnclaveContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _context = context;
        _host = new FederatedSqlOcallProxy(context.Ocalls);
        _platform = context.Platform as IAttestingPlatform
            ?? throw new PlatformNotSupportedException("This platform cannot produce attestation evidence.");
    }

    /// <summary>The channel limits: partial results travel in records of up to <see cref="PartialChunkBytes"/>.</summary>
    public static SecureChannelOptions ChannelOptions(ClientCertificatePolicy? clients) => new()
    {
        MaxFrameLength = 1024 * 1024,
        MaxRecordPayload = 1024 * 1024 - 1024,
        MaxSessions = 256,
        IdleTimeout = TimeSpan.FromMinutes(10),
        ClientCertificatePolicy = clients,
    };

    /// <summary>The largest partial-result chunk a site sends in one record.</summary>
    public const int PartialChunkBytes = 512 * 1024;

    /// <inheritdoc />
    public int FsqlConfigure(ReadOnlySpan<byte> config, Span<byte> output)
    {
        lock (_gate)
        {
            if (_aggregator is not null)
            {
                return Fail(output, FederatedSqlFailureCode.InvalidState, "the federation is configured once per enclave start");
            }

            try
            {
                var parsed = JsonSerializer.Deserialize<FederationConfig>(config)
                    ?? throw new FederatedSqlException(FederatedSqlFailureCode.InvalidState, "the configuration is empty");
                var aggregator = new FederatedAggregator(parsed);
                _server = SecureChannelServer.Create(
                    d => _platform.GetEvidence(d),
                    request => aggregator.Receive(request.Message.Span, request.SessionId.Span, request.ClientCertificate.Span),
                    ChannelOptions(ClientCertificatePolicy.PinnedPublicKeys(aggregator.ChannelPins)));
                _aggregator = aggregator;
                _host.FsqlLog($"enclave: federation of {parsed.Sites.Count} sites ({string.Join(", ", parsed.Sites.Select(s => s.Name))}), {parsed.Analysts?.Count ?? 0} analysts, k floor {parsed.MinGroupRowsFloor}, roster {FederationRoster.Digest(parsed)[..16]}; answers to {(parsed.ReleasesToAnalysts ? "analysts only" : "the host")}");
                return 0;
            }
            catch (Exception ex) when (ex is JsonException or FederatedSqlException or ArgumentException or FormatException)
            {
                return Fail(output, FederatedSqlFailureCode.InvalidState, "bad federation configuration: " + ex.Message);
            }
        }
    }

    /// <inheritdoc />
    public int FsqlBegin(ReadOnlySpan<byte> request, Span<byte> output)
    {
        if (_aggregator is not { } aggregator)
        {
            return Fail(output, FederatedSqlFailureCode.InvalidState, "the federation is not configured");
        }

        try
        {
            var query = JsonSerializer.Deserialize<QueryRequest>(request)
                ?? throw new FederatedSqlException(FederatedSqlFailureCode.Syntax, "the query request is empty");
            var ticket = aggregator.Begin(query);
            _host.FsqlLog($"enclave: query {ticket.QueryId[..8]} planned for {ticket.Sites.Count} sites, k = {ticket.MinGroupRows}");
            return Write(output, JsonSerializer.SerializeToUtf8Bytes(ticket));
        }
        catch (FederatedSqlException ex)
        {
            return Fail(output, ex.Code, ex.Message);
        }
        catch (JsonException)
        {
            return Fail(output, FederatedSqlFailureCode.Syntax, "the query request is not JSON {Sql, MinGroupRows}");
        }
    }

    /// <inheritdoc />
    public int FsqlChannel(ReadOnlySpan<byte> frame, Span<byte> output)
    {
        if (_server is not { } server)
        {
            return Fail(output, FederatedSqlFailureCode.InvalidState, "the federation is not configured");
        }

        var replies = new List<byte[]>();
        Process(server, frame, replies);
        return WriteFrames(output, replies);
    }

    /// <inheritdoc />
    public int FsqlChannelBatch(nint frames, nuint framesLen, Span<byte> output)
    {
        if (_server is not { } server)
        {
            return Fail(output, FederatedSqlFailureCode.InvalidState, "the federation is not configured");
        }

        using var buffer = _context.OpenSharedMemory(frames);
        if (framesLen > (nuint)buffer.Length)
        {
            return Fail(output, FederatedSqlFailureCode.InvalidState, $"fsql_channel_batch: {framesLen} bytes asked, the shared buffer holds {buffer.Length}");
        }

        // Each frame is copied out of host memory once, then parsed: the host cannot change it under the parser.
        var replies = new List<byte[]>();
        Span<byte> header = stackalloc byte[FrameHeaderLength];
        int offset = 0, end = (int)framesLen;
        while (offset < end)
        {
            if (end - offset < FrameHeaderLength)
            {
                return Fail(output, FederatedSqlFailureCode.InvalidState, "fsql_channel_batch: a frame header is cut off");
            }

            buffer.CopyTo(offset, header);
            uint length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
            if (length > (uint)(end - offset - FrameHeaderLength))
            {
                return Fail(output, FederatedSqlFailureCode.InvalidState, "fsql_channel_batch: a frame is longer than the bytes left");
            }

            byte[] frame = new byte[FrameHeaderLength + (int)length];
            buffer.CopyTo(offset, frame);
            offset += frame.Length;
            Process(server, frame, replies);
        }

        return WriteFrames(output, replies);
    }

    /// <inheritdoc />
    public int FsqlChannelBatchSwitchless(nint frames, nuint framesLen, Span<byte> output) => FsqlChannelBatch(frames, framesLen, output);

    /// <inheritdoc />
    public int FsqlFinish(string? queryId, Span<byte> output)
    {
        if (_aggregator is not { } aggregator || queryId is null)
        {
            return Fail(output, FederatedSqlFailureCode.InvalidState, "the federation is not configured");
        }

        byte[]? answer;
        lock (_gate)
        {
            _answers.Remove(queryId, out answer);
        }

        if (answer is null)
        {
            try
            {
                if (aggregator.ReleasesToAnalysts)
                {
                    // The answer stays inside; the analyst fetches it over its own channel. The host learns only that
                    // it is ready (no row count: even that is the analyst's).
                    aggregator.FinishForAnalyst(queryId);
                    _host.FsqlLog($"enclave: query {queryId[..Math.Min(8, queryId.Length)]} answered; held for its analyst");
                    return 0;
                }

                var result = aggregator.Finish(queryId);
                answer = QueryResultCodec.Encode(result);
                _host.FsqlLog($"enclave: query {queryId[..Math.Min(8, queryId.Length)]} answered: {result.Rows.Count} rows, {result.SuppressedGroups} groups withheld by the disclosure policy");
            }
            catch (FederatedSqlException ex)
            {
                _host.FsqlLog($"enclave: query {queryId[..Math.Min(8, queryId.Length)]} has no answer ({ex.Code})");
                return Fail(output, ex.Code, ex.Message);
            }
        }

        int written = Write(output, answer);
        if (written == -2)
        {
            // Kept for the host's next call with a buffer of the size named.
            lock (_gate)
            {
                _answers[queryId] = answer;
            }
        }

        return written;
    }

    /// <inheritdoc />
    public int FsqlAbort(string? queryId) => queryId is not null && _aggregator is { } aggregator && aggregator.Abort(queryId) ? 1 : 0;

    /// <inheritdoc />
    public int FsqlRemoveIdle() => _server?.RemoveIdleSessions() ?? 0;

    /// <summary>Closes every session and forgets its keys.</summary>
    public void Dispose() => _server?.Dispose();

    private void Process(SecureChannelServer server, ReadOnlySpan<byte> frame, List<byte[]> replies)
    {
        try
        {
            replies.AddRange(server.Process(frame));
        }
        catch (SecureChannelException ex)
        {
            // The reason never carries keys or plaintext (docs/secure-channel.md, "Failures"); the alert tells the site.
            _host.FsqlLog($"enclave: refused a frame ({ex.Reason})");
            if (!ex.AlertFrame.IsEmpty)
            {
                replies.Add(ex.AlertFrame.ToArray());
            }
        }
    }

    private static int WriteFrames(Span<byte> output, List<byte[]> frames)
    {
        int total = frames.Sum(f => f.Length);
        if (total > output.Length)
        {
            return TooSmall(output, total);
        }

        int offset = 0;
        foreach (byte[] frame in frames)
        {
            frame.CopyTo(output[offset..]);
            offset += frame.Length;
        }

        return total;
    }

    private static int Write(Span<byte> output, ReadOnlySpan<byte> data)
    {
        if (data.Length > output.Length)
        {
            return TooSmall(output, data.Length);
        }

        data.CopyTo(output);
        return data.Length;
    }

    private static int TooSmall(Span<byte> output, int needed)
    {
        if (output.Length >= 4)
        {
            BinaryPrimitives.WriteInt32LittleEndian(output, needed);
        }

        return -2;
    }

    private static int Fail(Span<byte> output, FederatedSqlFailureCode code, string message)
    {
        byte[] text = Encoding.UTF8.GetBytes($"{code}: {message}");
        int length = Math.Min(text.Length, output.Length);
        text.AsSpan(0, length).CopyTo(output);
        return -1;
    }
}
