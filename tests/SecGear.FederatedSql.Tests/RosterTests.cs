using SecGear.FederatedSql.Protocol;

namespace SecGear.FederatedSql.Tests;

public sealed class RosterTests
{
    private static readonly FederationConfig Pinned = new(
        [new SiteEntry("B", new string('b', 64)), new SiteEntry("A", new string('a', 64))],
        MinGroupRowsFloor: 3,
        Analysts: [new SiteEntry("alice", new string('c', 64))]);

    [Fact]
    public void The_same_roster_in_another_order_and_case_is_no_difference()
    {
        var shown = Pinned with { Sites = [new SiteEntry("A", new string('A', 64)), new SiteEntry("B", new string('b', 64))] };

        Assert.Null(FederationRoster.Difference(Pinned, FederationRoster.Parse(FederationRoster.Canonical(shown))));
    }

    public static TheoryData<string, FederationConfig> Tampered => new()
    {
        { "site D is not in the pinned roster", Pinned with { Sites = [.. Pinned.Sites, new SiteEntry("D", new string('d', 64))] } },
        { "site B has key eeee", Pinned with { Sites = [Pinned.Sites[1], new SiteEntry("B", new string('e', 64))] } },
        { "site B of the pinned roster is missing", Pinned with { Sites = [Pinned.Sites[1]] } },
        { "analyst mallory is not in the pinned roster", Pinned with { Analysts = [.. Pinned.Analysts!, new SiteEntry("mallory", new string('f', 64))] } },
        { "analyst alice of the pinned roster is missing", Pinned with { Analysts = null } },
        { "k floor 1, pinned 3", Pinned with { MinGroupRowsFloor = 1 } },
        { "the catalog differs", Pinned with { Tables = FederationCatalog.TpchLike.Tables.Where(t => t.Name != "nation").ToList() } },
    };

    [Theory]
    [MemberData(nameof(Tampered))]
    public void Every_change_to_sites_analysts_k_floor_or_catalog_is_a_named_difference(string expected, FederationConfig shown)
    {
        Assert.Contains(expected, FederationRoster.Difference(Pinned, shown), StringComparison.Ordinal);
    }

    [Fact]
    public void A_roster_that_is_not_json_is_a_clear_error()
    {
        var ex = Assert.Throws<FederatedSqlException>(() => FederationRoster.Parse("{\"Sites\": 7}"u8));

        Assert.Equal(FederatedSqlFailureCode.RosterMismatch, ex.Code);
    }

    [Fact]
    public async Task A_site_refuses_to_contribute_when_As_host_configures_the_enclave_with_another_roster()
    {
        // A's host adds an analyst whose key it holds, hoping to read the answers: the sites see the roster inside
        // their attested channels, find it differs from the one they pinned, and send nothing.
        var mallory = new SiteEntry("mallory", new string('f', 64));
        await using var federation = await Federation.StartAsync(
            ["A", "B"],
            (_, index) => Federation.PinArguments(300, index, 2),
            analysts: ["alice"],
            hostRoster: pinned => pinned with { Analysts = [.. pinned.Analysts!, mallory] });
        using var client = federation.Client("alice");

        var ex = await Assert.ThrowsAsync<FederatedSqlException>(() => client.QueryAsync("SELECT o_orderstatus, COUNT(*) FROM orders GROUP BY o_orderstatus", 1));

        Assert.Contains("RosterMismatch", ex.Message, StringComparison.Ordinal);
        Assert.Contains("analyst mallory is not in the pinned roster", ex.Message, StringComparison.Ordinal);
        // Each site sent its header record and nothing after it: no chunk of rows, no trailer.
        Assert.All(["A", "B"], site => Assert.Equal(1, federation.Relayed.Count(f => !f.Analyst && f.Site == site && f.ToEnclave && f.Frame[0] == 5)));
    }
}
