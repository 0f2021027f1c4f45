using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.FederatedSql.Planning;
using SecGear.FederatedSql.Protocol;
using SecGear.FederatedSql.Results;

namespace SecGear.FederatedSql;

/// <summary>
/// The trusted state of the aggregation enclave: open queries, which channel session delivers which site's partial
/// result, and the merge. Each site's messages arrive decrypted from its own secure channel session; a site is known by
/// the public key of the client certificate it proved in the handshake. A site's result counts only when its header
/// names the open query, the site's unused nonce, the planned partial SQL and the planned k, and its trailer's counts
/// match what arrived. Every site is shown the roster (<see cref="FederationRoster"/>) in reply to its header and sends
/// rows only if it equals the roster it pinned. A query's answer is released only when every site delivered in full;
/// it is then disclosure controlled (<see cref="GroupMerger.Finish"/>) and, when the roster names analysts, held for
/// the analyst who asked and handed out only inside that analyst's channel (<see cref="PartialMessageType.Fetch"/>).
/// Thread-safe.
/// </summary>
public sealed class FederatedAggregator
{
    /// <summary>The most queries open at once.</summary>
    public const int MaxOpenQueries = 32;

    /// <summary>The largest encoded answer an analyst can fetch: one channel record (1 MiB less headroom).</summary>
    public const int MaxAnswerBytes = (1024 * 1024) - 2048;

    private readonly Lock _gate = new();
    private readonly FederationConfig _config;
    private readonly FederationCatalog _catalog;
    private readonly Dictionary<string, string> _siteBySpki;
    private readonly Dictionary<string, string> _analystBySpki;
    private readonly Dictionary<string, HeldAnswer> _held = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _spent = new(StringComparer.Ordinal);
    private readonly byte[] _roster;
    private readonly Dictionary<string, OpenQuery> _queries = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, Delivery> _sessions = [];
    private readonly TimeProvider _time;

    /// <summary>Creates the state for a federation.</summary>
    public FederatedAggregator(FederationConfig config, TimeProvider? time = null)
    {
        _config = config ?? throw new ArgumentNullException(nameof(config));
        _catalog = config.Catalog;
        if (config.Sites is null || config.Sites.Count == 0 || config.Sites.Count > 64)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.InvalidState, "a federation has 1 to 64 sites");
        }

        if (config.QueryBudget is < 1)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.PolicyRejected, "the query budget must be at least 1 (or none)");
        }

        if (config.MinGroupRowsFloor < 1)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.PolicyRejected, "the federation's k floor must be at least 1");
        }

        _siteBySpki = Pins("site", config.Sites, []);
        _analystBySpki = Pins("analyst", config.Analysts ?? [], _siteBySpki);
        if (_analystBySpki.Count > 64)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.InvalidState, "a federation has at most 64 analysts");
        }

        _roster = FederationRoster.Shown(config);

        _time = time ?? TimeProvider.System;
    }

    /// <summary>The SPKI SHA-256 digests of the federation's sites and analysts (the channel's client-certificate pins).</summary>
    public IEnumerable<byte[]> ChannelPins => _siteBySpki.Keys.Concat(_analystBySpki.Keys).Select(Convert.FromHexString);

    /// <summary>Whether answers go only to analysts (<see cref="FederationConfig.ReleasesToAnalysts"/>).</summary>
    public bool ReleasesToAnalysts => _analystBySpki.Count > 0;

    /// <summary>The roster every site is shown: canonical, with its signature if it has one (<see cref="FederationRoster.Shown"/>).</summary>
    public ReadOnlySpan<byte> Roster => _roster;

    /// <summary>How long an open query may wait for its sites.</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The SHA-256 of a DER certificate's SubjectPublicKeyInfo, lower-case hex.</summary>
    public static string SpkiSha256(ReadOnlySpan<byte> certificate)
    {
        using var parsed = X509CertificateLoader.LoadCertificate(certificate);
        return Convert.ToHexStringLower(SHA256.HashData(parsed.PublicKey.ExportSubjectPublicKeyInfo()));
    }

    /// <summary>Plans a query and opens it: a fresh query id and a fresh nonce per site.</summary>
    public QueryTicket Begin(QueryRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.MinGroupRows < _config.MinGroupRowsFloor)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.PolicyRejected, $"the query asks for k = {request.MinGroupRows}; the federation's floor is {_config.MinGroupRowsFloor}");
        }

        if (ReleasesToAnalysts && (request.Analyst is null || !_analystBySpki.ContainsValue(request.Analyst)))
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.AnswerNotReleased, $"this federation releases answers only to the analysts of its roster ({string.Join(", ", _analystBySpki.Values.Order(StringComparer.Ordinal))}); the query names {(request.Analyst is null ? "none" : $"'{request.Analyst}'")}");
        }

        var plan = QueryPlanner.Plan(request.Sql ?? string.Empty, _catalog, request.MinGroupRows);
        lock (_gate)
        {
            RemoveExpired();
            if (_queries.Count + _held.Count >= MaxOpenQueries)
            {
                throw new FederatedSqlException(FederatedSqlFailureCode.InvalidState, $"{MaxOpenQueries} queries are already open");
            }

            // Counted when the query opens, whether it is answered or not: a failed query may still have taught its
            // asker something, and opening many at once must not overrun the budget.
            string asker = ReleasesToAnalysts ? "analyst " + request.Analyst : "the host";
            int spent = _spent.GetValueOrDefault(asker);
            if (_config.QueryBudget is { } budget && spent >= budget)
            {
                throw new FederatedSqlException(FederatedSqlFailureCode.PolicyRejected, $"{asker} has used the roster's query budget of {budget} queries");
            }

            _spent[asker] = spent + 1;

            string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(PartialMessages.QueryIdLength));
            var query = new OpenQuery(plan, _time.GetUtcNow(), ReleasesToAnalysts ? request.Analyst : null, SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(request.Sql ?? string.Empty)));
            foreach (var site in _config.Sites)
            {
                query.Nonces[site.Name] = RandomNumberGenerator.GetBytes(PartialMessages.NonceLength);
            }

            _queries[id] = query;
            return new QueryTicket(id, plan.PartialSql, plan.MinGroupRows, query.Nonces.Select(n => new SiteTicket(n.Key, Convert.ToHexStringLower(n.Value))).ToList());
        }
    }

    /// <summary>
    /// Handles one decrypted message from a site's channel session; returns the reply to send on that session (or
    /// null). Never throws for bad input: a rejected message fails its query and the reply says why.
    /// </summary>
    public byte[]? Receive(ReadOnlySpan<byte> message, ReadOnlySpan<byte> sessionId, ReadOnlySpan<byte> clientCertificate)
    {
        var session = new Guid(sessionId);
        lock (_gate)
        {
            _sessions.TryGetValue(session, out var delivery);
            try
            {
                var reader = new RowReader(message);
                var type = PartialMessages.ReadType(ref reader);
                // Only a session with no delivery in progress can be an analyst's: rows on a site's session skip the
                // certificate parse (it cost 10x the merge of a 64-row record).
                if (delivery is null && _analystBySpki.Count > 0 && !clientCertificate.IsEmpty && _analystBySpki.TryGetValue(SpkiSha256(clientCertificate), out string? analyst))
                {
                    return type == PartialMessageType.Fetch ? Fetch(analyst, ref reader) : throw Reject($"an analyst does not send {type}");
                }

                switch (type)
                {
                    case PartialMessageType.Header:
                        if (delivery is not null)
                        {
                            throw Reject("a second header on one session");
                        }

                        _sessions[session] = Open(PartialMessages.ReadHeader(ref reader), clientCertificate);

                        // The site checks the roster before it sends a single row.
                        return PartialMessages.Roster(_roster);
                    case PartialMessageType.Chunk:
                        var open = Active(delivery);
                        uint index = reader.ReadUInt32();
                        uint rows = reader.ReadUInt32();
                        if (index != open.Chunks)
                        {
                            throw Reject($"chunk {index} arrived where chunk {open.Chunks} was due");
                        }

                        open.Query.Merger.AddRows(ref reader, rows);
                        PartialMessages.ExpectEnd(ref reader);
                        open.Chunks++;
                        open.Rows += rows;
                        return null;
                    case PartialMessageType.Trailer:
                        var last = Active(delivery);
                        var (total, chunks) = PartialMessages.ReadTrailer(ref reader);
                        if (total != last.Rows || chunks != last.Chunks)
                        {
                            throw Reject($"the trailer counts {total} rows in {chunks} chunks; {last.Rows} rows in {last.Chunks} chunks arrived");
                        }

                        last.Complete = true;
                        last.Query.Delivered.Add(last.Site);
                        _sessions.Remove(session);
                        return PartialMessages.Accepted(Convert.FromHexString(last.QueryId));
                    default:
                        throw Reject($"a site does not send {type}");
                }
            }
            catch (FederatedSqlException ex)
            {
                _sessions.Remove(session);
                if (delivery is not null && _queries.TryGetValue(delivery.QueryId, out var failed))
                {
                    failed.Failure ??= $"site {delivery.Site}: {ex.Message}";
                }

                return PartialMessages.Rejected(ex.Message);
            }
        }
    }

    /// <summary>
    /// Closes the query and returns its disclosure-controlled answer, if every site delivered in full. Only for a
    /// federation without analysts (the host is the user); otherwise <see cref="FinishForAnalyst"/>.
    /// </summary>
    public QueryResult Finish(string queryId)
    {
        if (ReleasesToAnalysts)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.AnswerNotReleased, "this federation releases answers only to its analysts, inside their own channels");
        }

        return Close(queryId).Result;
    }

    /// <summary>
    /// Closes the query and holds its disclosure-controlled answer, if every site delivered in full, for the analyst
    /// who asked: it leaves only as a <see cref="PartialMessageType.Answer"/> inside that analyst's channel.
    /// </summary>
    public void FinishForAnalyst(string queryId)
    {
        if (!ReleasesToAnalysts)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.InvalidState, "this federation has no analysts; its answers go to the host");
        }

        var (query, result) = Close(queryId);
        byte[] answer = QueryResultCodec.Encode(result);
        if (answer.Length > MaxAnswerBytes)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.AnswerNotReleased, $"the answer is {answer.Length} bytes; answers of more than one channel record ({MaxAnswerBytes} bytes) are not supported yet (add a LIMIT or a coarser GROUP BY)");
        }

        lock (_gate)
        {
            _held[queryId] = new HeldAnswer(query.Analyst ?? throw new FederatedSqlException(FederatedSqlFailureCode.InvalidState, "the query names no analyst"), query.SqlDigest, query.Plan.MinGroupRows, answer, _time.GetUtcNow());
        }
    }

    private (OpenQuery Query, QueryResult Result) Close(string queryId)
    {
        lock (_gate)
        {
            if (!_queries.Remove(queryId, out var query))
            {
                throw new FederatedSqlException(FederatedSqlFailureCode.InvalidState, "no open query has this id");
            }

            ForgetSessions(queryId);
            if (query.Failure is not null)
            {
                throw new FederatedSqlException(FederatedSqlFailureCode.PartialResultRejected, query.Failure);
            }

            var missing = _config.Sites.Select(s => s.Name).Where(s => !query.Delivered.Contains(s)).ToList();
            if (missing.Count > 0)
            {
                throw new FederatedSqlException(FederatedSqlFailureCode.SiteFailed, $"no complete partial result from {string.Join(", ", missing)}; the query has no answer");
            }

            return (query, query.Merger.Finish());
        }
    }

    /// <summary>Drops an open query and whatever arrived for it.</summary>
    public bool Abort(string queryId)
    {
        lock (_gate)
        {
            ForgetSessions(queryId);
            return _queries.Remove(queryId);
        }
    }

    // An analyst asks for the answer it is owed: the query it named, with the k and SQL it asked for.
    private byte[] Fetch(string analyst, ref RowReader reader)
    {
        var (id, k, sqlDigest) = PartialMessages.ReadFetch(ref reader);
        string queryId = Convert.ToHexStringLower(id);
        if (_queries.ContainsKey(queryId))
        {
            throw Reject("the query is still running; fetch its answer once the coordinator says it is ready");
        }

        if (!_held.TryGetValue(queryId, out var held))
        {
            throw Reject("no answer is held for this query (it failed, expired or was already fetched)");
        }

        if (held.Analyst != analyst)
        {
            throw Reject($"the answer is held for analyst {held.Analyst}, not {analyst}");
        }

        if (held.MinGroupRows != k || !CryptographicOperations.FixedTimeEquals(held.SqlDigest, sqlDigest))
        {
            // The host ran another query than the analyst asked for: the answer is withheld from everyone.
            _held.Remove(queryId);
            throw Reject("the query the coordinator ran is not the one the analyst asked for (SQL or k differ); its answer is discarded");
        }

        _held.Remove(queryId);
        return PartialMessages.Answer(held.Answer);
    }

    private static Dictionary<string, string> Pins(string what, IReadOnlyList<SiteEntry> entries, Dictionary<string, string> taken)
    {
        var bySpki = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            string? pin = entry.SpkiSha256?.ToLowerInvariant();
            if (string.IsNullOrWhiteSpace(entry.Name) || pin is not { Length: 64 } || !pin.All(char.IsAsciiHexDigitLower) || taken.ContainsKey(pin) || !bySpki.TryAdd(pin, entry.Name))
            {
                throw new FederatedSqlException(FederatedSqlFailureCode.InvalidState, $"{what} '{entry.Name}': a name and a unique 64-hex-digit SPKI SHA-256 are required");
            }
        }

        if (bySpki.Values.Distinct(StringComparer.Ordinal).Count() != bySpki.Count)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.InvalidState, $"two {what}s have the same name");
        }

        return bySpki;
    }

    private Delivery Open(PartialHeader header, ReadOnlySpan<byte> clientCertificate)
    {
        if (clientCertificate.IsEmpty)
        {
            throw Reject("the channel has no client certificate; sites must authenticate");
        }

        string spki = SpkiSha256(clientCertificate);
        if (!_siteBySpki.TryGetValue(spki, out string? site))
        {
            throw Reject("the client certificate is not one of the federation's sites");
        }

        string queryId = Convert.ToHexStringLower(header.QueryId);
        if (!_queries.TryGetValue(queryId, out var query))
        {
            throw Reject($"site {site} sent a result for a query that is not open (replayed or expired)");
        }

        if (!query.Nonces.TryGetValue(site, out byte[]? nonce) || !CryptographicOperations.FixedTimeEquals(nonce, header.Nonce))
        {
            query.Failure ??= $"site {site}: the nonce is not the one issued to it for this query (a replayed or duplicated result)";
            throw Reject(query.Failure);
        }

        query.Nonces.Remove(site);
        if (!CryptographicOperations.FixedTimeEquals(header.PlanDigest, query.Plan.PlanDigest))
        {
            query.Failure ??= $"site {site}: ran another partial plan than the enclave's";
            throw new FederatedSqlException(FederatedSqlFailureCode.PlanMismatch, query.Failure);
        }

        if (header.MinGroupRows != query.Plan.MinGroupRows || header.ColumnCount != query.Plan.PartialColumnCount)
        {
            query.Failure ??= $"site {site}: k {header.MinGroupRows} / {header.ColumnCount} columns, expected k {query.Plan.MinGroupRows} / {query.Plan.PartialColumnCount} columns";
            throw new FederatedSqlException(FederatedSqlFailureCode.PlanMismatch, query.Failure);
        }

        return new Delivery(queryId, query, site);
    }

    private static Delivery Active(Delivery? delivery) =>
        delivery is { Complete: false } ? delivery : throw Reject("rows arrived on a session that sent no accepted header");

    private void ForgetSessions(string queryId)
    {
        foreach (var session in _sessions.Where(s => s.Value.QueryId == queryId).Select(s => s.Key).ToList())
        {
            _sessions.Remove(session);
        }
    }

    private void RemoveExpired()
    {
        var now = _time.GetUtcNow();
        foreach (string id in _queries.Where(q => now - q.Value.Opened > QueryTimeout).Select(q => q.Key).ToList())
        {
            Abort(id);
        }

        foreach (string id in _held.Where(h => now - h.Value.Finished > QueryTimeout).Select(h => h.Key).ToList())
        {
            _held.Remove(id);
        }
    }

    private static FederatedSqlException Reject(string message) => new(FederatedSqlFailureCode.PartialResultRejected, message);

    private sealed class OpenQuery(QueryPlan plan, DateTimeOffset opened, string? analyst, byte[] sqlDigest)
    {
        public QueryPlan Plan { get; } = plan;

        public string? Analyst { get; } = analyst;

        public byte[] SqlDigest { get; } = sqlDigest;

        public DateTimeOffset Opened { get; } = opened;

        public Dictionary<string, byte[]> Nonces { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Delivered { get; } = new(StringComparer.Ordinal);

        public GroupMerger Merger { get; } = new(plan);

        public string? Failure { get; set; }
    }

    private sealed record HeldAnswer(string Analyst, byte[] SqlDigest, int MinGroupRows, byte[] Answer, DateTimeOffset Finished);

    private sealed class Delivery(string queryId, OpenQuery query, string site)
    {
        public string QueryId { get; } = queryId;

        public OpenQuery Query { get; } = query;

        public string Site { get; } = site;

        public uint Chunks { get; set; }

        public ulong Rows { get; set; }

        public bool Complete { get; set; }
    }
}
