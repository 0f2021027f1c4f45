using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using SecGear.FederatedSql.Contracts;
using SecGear.FederatedSql.Interop;
using SecGear.FederatedSql.Protocol;
using SecGear.FederatedSql.Results;
using SecGear.Host;
using SecGear.Identity;

namespace SecGear.FederatedSql.Coordinator;

/// <summary>
/// The coordinator at site A, in the untrusted host. It starts the aggregation enclave, asks it for each query's plan,
/// sends the partial plan to every site over gRPC, relays each site's secure channel frames into the enclave (it sees
/// only handshakes and ciphertext), and returns the enclave's disclosure-controlled answer. A site that fails, refuses or
/// disappears fails the whole query with <see cref="FederatedSqlFailureCode.SiteFailed"/>: never a partial answer.
/// When the roster names analysts, the host never gets the answer: it relays the analyst's own channel frames
/// (<see cref="RelayAnalystFrame"/>) and the enclave hands the answer out only inside that channel.
/// </summary>
public sealed class FederatedSqlCoordinator : IAsyncDisposable
{
    private const int FrameHeaderLength = 5;
    private const byte HandshakeClientHello = 1;
    private const byte HandshakeClientKey = 3;

    // A record of up to 1 MiB plus its header; a reply to a record (acceptance, rejection, alert) fits 2 KiB.
    private const int SharedFrameCapacity = (1024 * 1024) + 64;
    private const int RecordReplyCapacity = 2048;
    private readonly CoordinatorOptions _options;
    private readonly Enclave _enclave;
    private readonly FederatedSqlProxy _proxy;
    private readonly Dictionary<string, GrpcChannel> _channels;
    private readonly Lock _logGate = new();

    private FederatedSqlCoordinator(CoordinatorOptions options, Enclave enclave)
    {
        _options = options;
        _enclave = enclave;
        _proxy = new FederatedSqlProxy(enclave, new HostOcalls(this));
        _channels = options.Sites.ToDictionary(s => s.Name, s => GrpcChannel.ForAddress(s.Address, new GrpcChannelOptions { MaxReceiveMessageSize = 4 * 1024 * 1024 }), StringComparer.Ordinal);
    }

    /// <summary>The enclave's identity (what sites pin).</summary>
    public EnclaveIdentity Identity => _enclave.Identity;

    /// <summary>The roster the enclave was configured with (what every site is shown and compares with its pin).</summary>
    public FederationConfig Roster { get; private set; } = null!;

    /// <summary>The enclave (benchmarks read its switchless counters).</summary>
    internal Enclave Enclave => _enclave;

    /// <summary>Starts the enclave and configures it with the federation.</summary>
    public static FederatedSqlCoordinator Start(CoordinatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var enclaveOptions = new EnclaveOptions();
        if (options.Switchless)
        {
            enclaveOptions.Features.Add(new SwitchlessOptions());
        }

        var enclave = Enclave.Create(options.ImagePath, options.EnclaveType, EnclaveFlags.None, enclaveOptions);
        var coordinator = new FederatedSqlCoordinator(options, enclave);
        try
        {
            var config = options.Roster ?? new FederationConfig(options.Sites.Select(s => new SiteEntry(s.Name, s.SpkiSha256)).ToList(), MinGroupRowsFloor: options.MinGroupRowsFloor);
            coordinator.Call((p, output) => p.FsqlConfigure(JsonSerializer.SerializeToUtf8Bytes(config), output), 4096);
            coordinator.Roster = config;
            coordinator.Log($"coordinator: enclave {enclave.EngineName}, measurement {enclave.Identity.MeasurementHex}, {options.Sites.Count} sites, switchless {options.Switchless}");
            return coordinator;
        }
        catch
        {
            coordinator.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
    }

    /// <summary>
    /// Runs one federated query with disclosure policy k = <paramref name="minGroupRows"/> and returns the answer. Only
    /// for a roster without analysts (the host is the user); otherwise the enclave refuses with
    /// <see cref="FederatedSqlFailureCode.AnswerNotReleased"/> and analysts use the coordinator service's client.
    /// </summary>
    /// <exception cref="FederatedSqlException">The query is outside the subset, a site failed, or a partial result was rejected.</exception>
    public async Task<QueryResult> QueryAsync(string sql, int minGroupRows, CancellationToken cancellationToken = default)
    {
        var ticket = Open(sql, minGroupRows, analyst: null);
        await RunAsync(ticket, sql, cancellationToken).ConfigureAwait(false);
        byte[] answer = Finish(ticket);
        var result = QueryResultCodec.Decode(answer);
        Log($"coordinator: query {ticket.QueryId[..8]}: answer of {result.Rows.Count} rows ({result.SuppressedGroups} groups withheld)");
        return result;
    }

    /// <summary>Asks the enclave to plan and open a query; the ticket holds the partial plan and a nonce per site.</summary>
    /// <exception cref="FederatedSqlException">Outside the subset, below the k floor, or no analyst named where the roster requires one.</exception>
    public QueryTicket Open(string sql, int minGroupRows, string? analyst)
    {
        ArgumentNullException.ThrowIfNull(sql);
        byte[] ticketJson = Call((p, output) => p.FsqlBegin(JsonSerializer.SerializeToUtf8Bytes(new QueryRequest(sql, minGroupRows, analyst)), output), 64 * 1024);
        var ticket = JsonSerializer.Deserialize<QueryTicket>(ticketJson)
            ?? throw new FederatedSqlException(FederatedSqlFailureCode.InvalidState, "the enclave returned no plan");
        Log($"coordinator: query {ticket.QueryId[..8]}: partial plan {ticket.PartialSql}{(analyst is null ? string.Empty : $" (for analyst {analyst})")}");
        return ticket;
    }

    /// <summary>
    /// Closes an opened query whose sites all delivered: returns the answer ("FR" encoding) when the host is the user,
    /// or an empty array when the enclave holds it for the query's analyst.
    /// </summary>
    public byte[] Finish(QueryTicket ticket)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        byte[] answer = Call((p, output) => p.FsqlFinish(ticket.QueryId, output), 1024 * 1024);
        if (answer.Length == 0)
        {
            Log($"coordinator: query {ticket.QueryId[..8]}: the enclave holds the answer for its analyst");
        }

        return answer;
    }

    /// <summary>Relays one frame of an analyst's secure channel into the enclave and returns the enclave's reply frames.</summary>
    public IReadOnlyList<byte[]> RelayAnalystFrame(string analyst, byte[] frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        string party = "analyst " + analyst;
        byte[] forwarded = Relay(party, toEnclave: true, frame);
        if (forwarded.Length == 0)
        {
            return [];
        }

        return Split(Call((p, output) => p.FsqlChannel(forwarded, output), 64 * 1024)).Select(reply => Relay(party, toEnclave: false, reply)).ToList();
    }

    /// <summary>
    /// Sends an opened query's partial plan to every site and relays their channels into the enclave until each site
    /// is done. Any site failure aborts the query inside the enclave and throws.
    /// </summary>
    /// <exception cref="FederatedSqlException">A site failed, refused (plan, enclave or roster), or timed out.</exception>
    public async Task RunAsync(QueryTicket ticket, string sql, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        ArgumentNullException.ThrowIfNull(sql);
        string shortId = ticket.QueryId[..8];

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.SiteTimeout);
        var runs = _options.Sites.Select(s => RunSiteAsync(s, ticket, sql, timeout.Token)).ToList();
        try
        {
            await Task.WhenAll(runs).ConfigureAwait(false);
        }
        catch (Exception) when (runs.Any(r => r.IsFaulted || r.IsCanceled))
        {
            _proxy.FsqlAbort(ticket.QueryId);
            var failures = runs.Where(r => r.IsFaulted).SelectMany(r => r.Exception!.InnerExceptions).ToList();
            string reason = failures.Count > 0 ? string.Join("; ", failures.Select(f => f.Message)) : "the query timed out or was cancelled";
            Log($"coordinator: query {shortId} failed: {reason}");
            throw new FederatedSqlException(
                failures.OfType<FederatedSqlException>().FirstOrDefault()?.Code ?? FederatedSqlFailureCode.SiteFailed,
                $"the federated query has no answer: {reason}",
                failures.FirstOrDefault() ?? new OperationCanceledException());
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }

        await _enclave.DisposeAsync().ConfigureAwait(false);
    }

    private async Task RunSiteAsync(SiteEndpoint site, QueryTicket ticket, string sql, CancellationToken cancellationToken)
    {
        var nonce = ticket.Sites.FirstOrDefault(s => s.Name == site.Name)
            ?? throw new FederatedSqlException(FederatedSqlFailureCode.InvalidState, $"the enclave issued no nonce for site {site.Name}");
        var client = new FederatedSite.FederatedSiteClient(_channels[site.Name]);

        // Records (the partial results) go in through host shared memory, so the ECALL itself carries only a token, not
        // a copy of the record; handshake frames, whose replies carry evidence, take fsql_channel.
        using var shared = _enclave.AllocateSharedMemory(SharedFrameCapacity);
        try
        {
            using var call = client.Execute(cancellationToken: cancellationToken);
            await call.RequestStream.WriteAsync(new CoordinatorMessage
            {
                Plan = new PartialPlan
                {
                    QueryId = ByteString.CopyFrom(Convert.FromHexString(ticket.QueryId)),
                    Nonce = ByteString.CopyFrom(Convert.FromHexString(nonce.Nonce)),
                    FederatedSql = sql,
                    PartialSql = ticket.PartialSql,
                    MinGroupRows = (uint)ticket.MinGroupRows,
                },
            }, cancellationToken).ConfigureAwait(false);

            while (await call.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
            {
                var message = call.ResponseStream.Current;
                if (message.BodyCase == SiteMessage.BodyOneofCase.Error)
                {
                    throw new FederatedSqlException(FederatedSqlFailureCode.SiteFailed, $"site {site.Name}: {message.Error}");
                }

                byte[] frame = Relay("site " + site.Name, toEnclave: true, message.Frame.ToByteArray());
                if (frame.Length == 0)
                {
                    // The relay dropped the frame.
                    continue;
                }

                foreach (byte[] reply in Split(ChannelCall(frame, shared)))
                {
                    await call.RequestStream.WriteAsync(new CoordinatorMessage { Frame = ByteString.CopyFrom(Relay("site " + site.Name, toEnclave: false, reply)) }, cancellationToken).ConfigureAwait(false);
                }
            }

            await call.RequestStream.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RpcException or IOException or HttpRequestException or InvalidOperationException or ObjectDisposedException)
        {
            // A site killed mid-stream surfaces as an RpcException, or, depending on where the HTTP/2 stream was when it
            // died, as the transport's own exception: every form names the site.
            string detail = ex is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : ex.Message;
            throw new FederatedSqlException(FederatedSqlFailureCode.SiteFailed, $"site {site.Name} stopped answering mid-query ({detail})", ex);
        }
    }

    // party is "site NAME" or "analyst NAME"; the relay hook sees the bare name and who it is.
    private byte[] Relay(string party, bool toEnclave, byte[] frame)
    {
        int space = party.IndexOf(' ', StringComparison.Ordinal);
        byte[] forwarded = _options.Relay?.Invoke(new RelayedFrame(party[(space + 1)..], toEnclave, frame, party.StartsWith("analyst", StringComparison.Ordinal))) ?? frame;
        if (forwarded.Length > 0)
        {
            string prefix = Convert.ToHexStringLower(forwarded.AsSpan(0, Math.Min(forwarded.Length, 16)));
            Log($"relay: {(toEnclave ? $"{party} -> enclave" : $"enclave -> {party}")}  type {forwarded[0]}  {forwarded.Length,7} bytes  {prefix}...");
        }

        return forwarded;
    }

    private byte[] ChannelCall(byte[] frame, SharedMemory shared)
    {
        if (frame.Length == 0 || frame[0] is HandshakeClientHello or HandshakeClientKey || frame.Length > shared.Length)
        {
            return Call((p, output) => p.FsqlChannel(frame, output), 64 * 1024);
        }

        frame.CopyTo(shared.Span);
        return _options.Switchless
            ? Call((p, output) => p.FsqlChannelBatchSwitchless(shared.Token, (nuint)frame.Length, output), RecordReplyCapacity)
            : Call((p, output) => p.FsqlChannelBatch(shared.Token, (nuint)frame.Length, output), RecordReplyCapacity);
    }

    private static List<byte[]> Split(ReadOnlySpan<byte> replies)
    {
        var frames = new List<byte[]>();
        while (!replies.IsEmpty)
        {
            if (replies.Length < FrameHeaderLength || BinaryPrimitives.ReadUInt32BigEndian(replies[1..]) > (uint)(replies.Length - FrameHeaderLength))
            {
                throw new FederatedSqlException(FederatedSqlFailureCode.InvalidState, "the enclave's reply frames are malformed");
            }

            int length = FrameHeaderLength + (int)BinaryPrimitives.ReadUInt32BigEndian(replies[1..]);
            frames.Add(replies[..length].ToArray());
            replies = replies[length..];
        }

        return frames;
    }

    // One ECALL with the enclave's output convention: >= 0 bytes written, -1 "Code: message", -2 buffer too small.
    private byte[] Call(Func<FederatedSqlProxy, byte[], int> call, int capacity)
    {
        for (int attempt = 0; attempt < 3; attempt++)
        {
            byte[] output = new byte[capacity];
            int result = call(_proxy, output);
            if (result >= 0)
            {
                return output.AsSpan(0, result).ToArray();
            }

            if (result == -2)
            {
                capacity = BinaryPrimitives.ReadInt32LittleEndian(output);
                continue;
            }

            throw FederatedSqlException.FromWire(Encoding.UTF8.GetString(output).TrimEnd('\0'));
        }

        throw new FederatedSqlException(FederatedSqlFailureCode.InvalidState, "the enclave's output kept outgrowing the buffer");
    }

    private void Log(string line)
    {
        if (_options.Log is { } log)
        {
            lock (_logGate)
            {
                log.WriteLine(line);
            }
        }
    }

    private sealed class HostOcalls(FederatedSqlCoordinator owner) : IFederatedSqlOcalls
    {
        public void FsqlLog(string? message) => owner.Log(message ?? string.Empty);
    }
}
