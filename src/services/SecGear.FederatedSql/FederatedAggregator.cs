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
/// match what arrived. A query's answer is released only when every site delivered in full; it is then disclosure
/// controlled (<see cref="GroupMerger.Finish"/>). Thread-safe.
/// </summary>
public sealed class FederatedAggregator
{
    /// <summary>The most queries open at once.</summary>
    public const int MaxOpenQueries = 32;

    private readonly Lock _gate = new();
    private readonly FederationConfig _config;
    private readonly FederationCatalog _catalog;
    private readonly Dictionary<string, string> _siteBySpki;
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

        if (config.MinGroupRowsFloor < 1)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.PolicyRejected, "the federation's k floor must be at least 1");
        }

        _siteBySpki = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var site in config.Sites)
        {
            if (string.IsNullOrWhiteSpace(site.Name) || site.SpkiSha256 is not { Length: 64 } || !_siteBySpki.TryAdd(site.SpkiSha256.ToLowerInvariant(), site.Name))
            {
                throw new FederatedSqlException(FederatedSqlFailureCode.InvalidState, $"site '{site.Name}': a name and a unique 64-hex-digit SPKI SHA-256 are required");
            }
        }

        if (config.Sites.Select(s => s.Name).Distinct(StringComparer.Ordinal).Count() != config.Sites.Count)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.InvalidState, "two sites have the same name");
        }

        _time = time ?? TimeProvider.System;
    }

    /// <summary>The SPKI SHA-256 digests of the federation's sites (the channel's client-certificate pins).</summary>
    public IEnumerable<byte[]> SitePins => _config.Sites.Select(s => Convert.FromHexString(s.SpkiSha256));

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

        var plan = QueryPlanner.Plan(request.Sql ?? string.Empty, _catalog, request.MinGroupRows);
        lock (_gate)
        {
            RemoveExpired();
            if (_queries.Count >= MaxOpenQueries)
            {
                throw new FederatedSqlException(FederatedSqlFailureCode.InvalidState, $"{MaxOpenQueries} queries are already open");
            }

            string id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(PartialMessages.QueryIdLength));
            var query = new OpenQuery(plan, _time.GetUtcNow());
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
                switch (type)
                {
                    case PartialMessageType.Header:
                        if (delivery is not null)
                        {
                            throw Reject("a second header on one session");
                        }

                        _sessions[session] = Open(PartialMessages.ReadHeader(ref reader), clientCertificate);
                        return null;
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

    /// <summary>Closes the query and returns its disclosure-controlled answer, if every site delivered in full.</summary>
    public QueryResult Finish(string queryId)
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

            return query.Merger.Finish();
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
    }

    private static FederatedSqlException Reject(string message) => new(FederatedSqlFailureCode.PartialResultRejected, message);

    private sealed class OpenQuery(QueryPlan plan, DateTimeOffset opened)
    {
        public QueryPlan Plan { get; } = plan;

        public DateTimeOffset Opened { get; } = opened;

        public Dictionary<string, byte[]> Nonces { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Delivered { get; } = new(StringComparer.Ordinal);

        public GroupMerger Merger { get; } = new(plan);

        public string? Failure { get; set; }
    }

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
