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

    [Fact]
    public void The_rosters_query_budget_is_enforced_inside_the_enclave_per_analyst()
    {
        using var alice = SiteIdentity.Generate("alice");
        var budgeted = new FederatedAggregator(new FederationConfig([new SiteEntry("A", _a.SpkiSha256)], Analysts: [new SiteEntry("alice", alice.SpkiSha256)], QueryBudget: 2));
        budgeted.Begin(new QueryRequest(Sql, 1, "alice"));
        budgeted.Begin(new QueryRequest(Sql, 1, "alice"));

        var ex = Assert.Throws<FederatedSqlException>(() => budgeted.Begin(new QueryRequest(Sql, 1, "alice")));

        Assert.Equal(FederatedSqlFailureCode.PolicyRejected, ex.Code);
        Assert.Contains("query budget of 2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_analysts_the_answer_is_held_and_released_only_to_the_analyst_who_asked_for_that_query()
    {
        using var alice = SiteIdentity.Generate("alice");
        using var bob = SiteIdentity.Generate("bob");
        var aggregator = new FederatedAggregator(new FederationConfig(
            [new SiteEntry("A", _a.SpkiSha256), new SiteEntry("B", _b.SpkiSha256)],
            Analysts: [new SiteEntry("alice", alice.SpkiSha256), new SiteEntry("bob", bob.SpkiSha256)]));
        var ticket = aggregator.Begin(new QueryRequest(Sql, 1, "alice"));
        Assert.Equal(PartialMessageType.Accepted, Deliver(aggregator, ticket, "A", _a, [["F", 2L]]));
        Assert.Equal(PartialMessageType.Accepted, Deliver(aggregator, ticket, "B", _b, [["F", 3L]]));

        Assert.Equal(FederatedSqlFailureCode.AnswerNotReleased, Assert.Throws<FederatedSqlException>(() => aggregator.Finish(ticket.QueryId)).Code);
        aggregator.FinishForAnalyst(ticket.QueryId);
        byte[] id = Convert.FromHexString(ticket.QueryId);

        Assert.Contains("held for analyst alice", Reply(aggregator, PartialMessages.Fetch(id, 1, Sql), bob));
        Assert.Contains("not the one the analyst asked for", Reply(aggregator, PartialMessages.Fetch(id, 1, Sql + " "), alice));
        Assert.Contains("no answer is held", Reply(aggregator, PartialMessages.Fetch(id, 1, Sql), alice));
    }

    [Fact]
    public void An_analyst_fetches_the_answer_once_inside_its_channel()
    {
        using var alice = SiteIdentity.Generate("alice");
        var aggregator = new FederatedAggregator(new FederationConfig([new SiteEntry("A", _a.SpkiSha256)], Analysts: [new SiteEntry("alice", alice.SpkiSha256)]));
        var ticket = aggregator.Begin(new QueryRequest(Sql, 1, "alice"));
        Deliver(aggregator, ticket, "A", _a, [["F", 2L], ["O", 4L]]);
        aggregator.FinishForAnalyst(ticket.QueryId);

        byte[] reply = aggregator.Receive(PartialMessages.Fetch(Convert.FromHexString(ticket.QueryId), 1, Sql), Guid.NewGuid().ToByteArray(), alice.Certificate.RawData) ?? [];

        var reader = new RowReader(reply);
        Assert.Equal(PartialMessageType.Answer, PartialMessages.ReadType(ref reader));
        var result = Results.QueryResultCodec.Decode(reader.ReadRest());
        Assert.Null(Results.ResultComparison.Difference(result.Rows, [["F", 2L], ["O", 4L]], ordered: false));
    }

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
    }

    private static string Reply(FederatedAggregator aggregator, byte[] message, SiteIdentity identity)
    {
        var reader = new RowReader(aggregator.Receive(message, Guid.NewGuid().ToByteArray(), identity.Certificate.RawData) ?? []);
        Assert.Equal(PartialMessageType.Rejected, PartialMessages.ReadType(ref reader));
        return PartialMessages.ReadRejected(ref reader);
    }

    private PartialMessageType Deliver(QueryTicket ticket, string site, SiteIdentity identity, object?[][] rows, byte[]? digest = null, ulong? trailerRows = null) =>
        Deliver(_aggregator, ticket, site, identity, rows, digest, trailerRows);

    private static PartialMessageType Deliver(FederatedAggregator aggregator, QueryTicket ticket, string site, SiteIdentity identity, object?[][] rows, byte[]? digest = null, ulong? trailerRows = null)
    {
        var plan = QueryPlanner.Plan(Sql, FederationCatalog.TpchLike, ticket.MinGroupRows);
        byte[] session = Guid.NewGuid().ToByteArray();
        byte[] certificate = identity.Certificate.RawData;
        byte[] nonce = Convert.FromHexString(ticket.Sites.Single(s => s.Name == site).Nonce);
        byte[] header = PartialMessages.Header(new PartialHeader(Convert.FromHexString(ticket.QueryId), nonce, digest ?? plan.PlanDigest, plan.MinGroupRows, plan.PartialColumnCount));
        byte[] reply = aggregator.Receive(header, session, certificate) ?? [];
        var roster = new RowReader(reply);
        if (PartialMessages.ReadType(ref roster) == PartialMessageType.Roster)
        {
            var writer = PartialMessages.StartChunk(new RowWriter(), 0, (uint)rows.Length);
            foreach (var value in rows.SelectMany(r => r))
            {
                writer.WriteValue(value);
            }

            reply = aggregator.Receive(writer.ToArray(), session, certificate)
                ?? aggregator.Receive(PartialMessages.Trailer(trailerRows ?? (ulong)rows.Length, 1), session, certificate)
                ?? [];
        }

        var reader = new RowReader(reply);
        return PartialMessages.ReadType(ref reader);
    }
}
