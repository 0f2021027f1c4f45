using SecGear.FederatedSql.Planning;
using SecGear.FederatedSql.Protocol;
using SecGear.FederatedSql.Site;

namespace SecGear.FederatedSql.Tests;

public sealed class AggregatorTests : IDisposable
{
    private const string Sql = "SELECT o_orderstatus, COUNT(*) FROM orders GROUP BY o_orderstatus";
    private readonly SiteIdentity _a = SiteIdentity.Generate("A");
    private readonly SiteIdentity _b = SiteIdentity.Generate("B");
    private readonly FederatedAggregator _aggregator;

    public AggregatorTests() =>
        _aggregator = new FederatedAggregator(new FederationConfig([new SiteEntry("A", _a.SpkiSha256), new SiteEntry("B", _b.SpkiSha256)]));

    [Fact]
    public void A_query_is_answered_once_every_site_delivered_in_full()
    {
        var ticket = _aggregator.Begin(new QueryRequest(Sql, 1));

        Assert.Equal(PartialMessageType.Accepted, Deliver(ticket, "A", _a, [["F", 2L]]));
        Assert.Equal(PartialMessageType.Accepted, Deliver(ticket, "B", _b, [["F", 3L], ["O", 1L]]));
        var result = _aggregator.Finish(ticket.QueryId);

        Assert.Null(Results.ResultComparison.Difference(result.Rows, [["F", 5L], ["O", 1L]], ordered: false));
    }

    [Fact]
    public void A_missing_site_means_no_answer_never_a_partial_one()
    {
        var ticket = _aggregator.Begin(new QueryRequest(Sql, 1));
        Deliver(ticket, "A", _a, [["F", 2L]]);

        var ex = Assert.Throws<FederatedSqlException>(() => _aggregator.Finish(ticket.QueryId));
        Assert.Equal(FederatedSqlFailureCode.SiteFailed, ex.Code);
        Assert.Contains("no complete partial result from B", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_replayed_result_with_an_already_used_nonce_is_rejected_and_fails_the_query()
    {
        var ticket = _aggregator.Begin(new QueryRequest(Sql, 1));
        Deliver(ticket, "A", _a, [["F", 2L]]);

        Assert.Equal(PartialMessageType.Rejected, Deliver(ticket, "A", _a, [["F", 2L]]));
        Deliver(ticket, "B", _b, [["F", 1L]]);
        var ex = Assert.Throws<FederatedSqlException>(() => _aggregator.Finish(ticket.QueryId));
        Assert.Contains("replayed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_result_for_a_finished_query_is_rejected()
    {
        var old = _aggregator.Begin(new QueryRequest(Sql, 1));
        Deliver(old, "A", _a, [["F", 2L]]);
        Deliver(old, "B", _b, [["F", 2L]]);
        _aggregator.Finish(old.QueryId);

        Assert.Equal(PartialMessageType.Rejected, Deliver(old, "A", _a, [["F", 2L]]));
    }

    [Fact]
    public void A_certificate_outside_the_federation_cannot_deliver()
    {
        using var stranger = SiteIdentity.Generate("A");
        var ticket = _aggregator.Begin(new QueryRequest(Sql, 1));

        Assert.Equal(PartialMessageType.Rejected, Deliver(ticket, "A", stranger, [["F", 100L]]));
    }

    [Fact]
    public void A_result_from_another_partial_plan_is_rejected()
    {
        var ticket = _aggregator.Begin(new QueryRequest(Sql, 1));
        var other = QueryPlanner.Plan("SELECT o_orderstatus, COUNT(*) FROM orders WHERE o_custkey = 1 GROUP BY o_orderstatus", FederationCatalog.TpchLike, 1);

        Assert.Equal(PartialMessageType.Rejected, Deliver(ticket, "A", _a, [["F", 2L]], other.PlanDigest));
        Assert.Equal(FederatedSqlFailureCode.PartialResultRejected, Assert.Throws<FederatedSqlException>(() => _aggregator.Finish(ticket.QueryId)).Code);
    }

    [Fact]
    public void A_trailer_whose_counts_do_not_match_what_arrived_is_rejected()
    {
        var ticket = _aggregator.Begin(new QueryRequest(Sql, 1));

        Assert.Equal(PartialMessageType.Rejected, Deliver(ticket, "A", _a, [["F", 2L]], trailerRows: 2));
    }

    [Fact]
    public void A_query_below_the_federations_k_floor_is_refused()
    {
        var strict = new FederatedAggregator(new FederationConfig([new SiteEntry("A", _a.SpkiSha256)], MinGroupRowsFloor: 5));

        Assert.Equal(FederatedSqlFailureCode.PolicyRejected, Assert.Throws<FederatedSqlException>(() => strict.Begin(new QueryRequest(Sql, 2))).Code);
    }

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
    }

    private PartialMessageType Deliver(QueryTicket ticket, string site, SiteIdentity identity, object?[][] rows, byte[]? digest = null, ulong? trailerRows = null)
    {
        var plan = QueryPlanner.Plan(Sql, FederationCatalog.TpchLike, ticket.MinGroupRows);
        byte[] session = Guid.NewGuid().ToByteArray();
        byte[] certificate = identity.Certificate.RawData;
        byte[] nonce = Convert.FromHexString(ticket.Sites.Single(s => s.Name == site).Nonce);
        byte[] header = PartialMessages.Header(new PartialHeader(Convert.FromHexString(ticket.QueryId), nonce, digest ?? plan.PlanDigest, plan.MinGroupRows, plan.PartialColumnCount));
        byte[]? reply = _aggregator.Receive(header, session, certificate);
        if (reply is null)
        {
            var writer = PartialMessages.StartChunk(new RowWriter(), 0, (uint)rows.Length);
            foreach (var value in rows.SelectMany(r => r))
            {
                writer.WriteValue(value);
            }

            reply = _aggregator.Receive(writer.ToArray(), session, certificate)
                ?? _aggregator.Receive(PartialMessages.Trailer(trailerRows ?? (ulong)rows.Length, 1), session, certificate);
        }

        var reader = new RowReader(reply);
        return PartialMessages.ReadType(ref reader);
    }
}
