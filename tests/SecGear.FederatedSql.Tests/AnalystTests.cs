using System.Globalization;
using SecGear.FederatedSql.Coordinator;
using SecGear.FederatedSql.Planning;
using SecGear.FederatedSql.Protocol;
using SecGear.FederatedSql.Results;

namespace SecGear.FederatedSql.Tests;

public sealed class AnalystTests(AnalystFederationFixture fixture) : IClassFixture<AnalystFederationFixture>
{
    private const string Sql = "SELECT n.n_name, SUM(o.o_totalprice), AVG(o.o_totalprice), COUNT(*) FROM orders o JOIN customer c ON o.o_custkey = c.c_custkey JOIN nation n ON c.c_nationkey = n.n_nationkey GROUP BY n.n_name ORDER BY 1";

    [Fact]
    public async Task The_analyst_receives_the_answer_and_the_hosts_log_and_relay_never_hold_its_values()
    {
        var federation = fixture.Federation;
        federation.Relayed.Clear();
        using var client = federation.Client("alice");

        var result = await client.QueryAsync(Sql, 2);

        var plan = QueryPlanner.Plan(Sql, FederationCatalog.TpchLike, 2);
        Assert.Null(ResultComparison.Difference(result.Rows, Federation.Reference(plan.ReferenceSql), ordered: true));
        var secrets = result.Rows.SelectMany(r => new[] { (decimal)r[1]! }).Concat(result.Rows.Select(r => Convert.ToDecimal(r[2], CultureInfo.InvariantCulture))).ToList();
        Assert.True(secrets.Count >= 20, $"only {secrets.Count} answer values to look for");
        Assert.True(federation.Relayed.Sum(f => f.Frame.Length) > 2000, "too few bytes were relayed");
        Assert.Contains(federation.Relayed, f => f.Analyst && !f.ToEnclave && f.Frame[0] == 5);
        federation.AssertNowhereInHostView(secrets);
        string log = federation.HostLog;

        // The host's own log says the answer is held for the analyst, and nothing about its rows.
        Assert.Contains("held for its analyst", log, StringComparison.Ordinal);
        Assert.DoesNotContain("answer of", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_host_cannot_take_the_answer_itself_when_the_roster_names_analysts()
    {
        var ex = await Assert.ThrowsAsync<FederatedSqlException>(() => fixture.Federation.Coordinator.QueryAsync(Sql, 2));

        Assert.Equal(FederatedSqlFailureCode.AnswerNotReleased, ex.Code);
        Assert.Contains("alice", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_outside_the_roster_cannot_fetch_an_answer_even_under_an_analysts_name()
    {
        var keys = PartyKeys.Create(Directory.CreateTempSubdirectory("fedsql-mallory-").FullName, "mallory");
        using var client = fixture.Federation.Client("alice", keys);

        var ex = await Assert.ThrowsAsync<FederatedSqlException>(() => client.QueryAsync("SELECT COUNT(*) FROM orders", 1));

        Assert.Equal(FederatedSqlFailureCode.AnswerNotReleased, ex.Code);
        Assert.Contains("ClientCertificateRejected", ex.Message, StringComparison.Ordinal);
        Directory.Delete(Path.GetDirectoryName(keys.KeyPath)!, recursive: true);
    }

    [Fact]
    public async Task A_query_naming_someone_outside_the_roster_is_refused_with_a_clear_error()
    {
        using var client = fixture.Federation.Client("bob", fixture.Federation.Roster.Analysts["alice"]);

        var ex = await Assert.ThrowsAsync<FederatedSqlException>(() => client.QueryAsync("SELECT COUNT(*) FROM orders", 1));

        Assert.Equal(FederatedSqlFailureCode.AnswerNotReleased, ex.Code);
        Assert.Contains("'bob'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_coordinator_service_describes_the_roster_the_sites_pinned()
    {
        using var client = fixture.Federation.Client("alice");

        var roster = await client.DescribeRosterAsync();

        Assert.Null(FederationRoster.Difference(fixture.Federation.Roster.Config, roster));
    }
}
