using System.Security.Cryptography;
using SecGear.FederatedSql.Coordinator;
using SecGear.FederatedSql.Protocol;

namespace SecGear.FederatedSql.Tests;

public sealed class RosterTests
{
    private static readonly FederationConfig Pinned = new(
        [new SiteEntry("B", new string('b', 64)), new SiteEntry("A", new string('a', 64))],
        MinGroupRowsFloor: 3,
        Analysts: [new SiteEntry("alice", new string('c', 64))],
        Version: 2);

    private static readonly ECDsa Signer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly ECDsa Stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private static readonly SiteEntry Mallory = new("mallory", new string('f', 64));

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
        { "analyst mallory is not in the pinned roster", Pinned with { Analysts = [.. Pinned.Analysts!, Mallory] } },
        { "analyst alice of the pinned roster is missing", Pinned with { Analysts = null } },
        { "k floor 1, pinned 3", Pinned with { MinGroupRowsFloor = 1 } },
        { "version 3, pinned 2", Pinned with { Version = 3 } },
        { "the catalog differs", Pinned with { Tables = FederationCatalog.TpchLike.Tables.Where(t => t.Name != "nation").ToList() } },
    };

    [Theory]
    [MemberData(nameof(Tampered))]
    public void Every_change_to_sites_analysts_k_floor_version_or_catalog_is_a_named_difference(string expected, FederationConfig shown)
    {
        Assert.Contains(expected, FederationRoster.Difference(Pinned, shown), StringComparison.Ordinal);
        Assert.Contains(expected, FederationRoster.Refusal(Pinned, shown, signer: null), StringComparison.Ordinal);
    }

    [Fact]
    public void A_roster_that_is_not_json_is_a_clear_error()
    {
        var ex = Assert.Throws<FederatedSqlException>(() => FederationRoster.Parse("{\"Sites\": 7}"u8));

        Assert.Equal(FederatedSqlFailureCode.RosterMismatch, ex.Code);
    }

    [Fact]
    public void A_signed_roster_survives_the_trip_through_the_enclave_and_a_newer_signed_version_is_accepted()
    {
        var pinned = FederationRoster.Sign(Pinned, Signer);
        var newer = FederationRoster.Sign(Pinned with { Analysts = [.. Pinned.Analysts!, new SiteEntry("bob", new string('9', 64))], Version = 3 }, Signer);

        Assert.Null(FederationRoster.SignatureProblem(pinned, Signer));
        Assert.Null(FederationRoster.Refusal(pinned, FederationRoster.Parse(FederationRoster.Shown(pinned)), Signer));
        Assert.Null(FederationRoster.Refusal(pinned, FederationRoster.Parse(FederationRoster.Shown(newer)), Signer));
    }

    public static TheoryData<string, FederationConfig> BadlySigned => new()
    {
        // A's host edits a signed roster: the signature no longer covers what it says.
        { "signature does not verify", FederationRoster.Sign(Pinned, Signer) with { Analysts = [.. Pinned.Analysts!, Mallory] } },
        { "signature does not verify", FederationRoster.Sign(Pinned, Signer) with { MinGroupRowsFloor = 1 } },
        { "signature does not verify", FederationRoster.Sign(Pinned, Signer) with { Version = 9 } },
        // A's host signs its own roster with a key the sites did not pin.
        { "signature does not verify", FederationRoster.Sign(Pinned with { Analysts = [.. Pinned.Analysts!, Mallory] }, Stranger) },
        { "the roster is not signed", Pinned },
        { "signature does not verify", Pinned with { Signature = "not base64!" } },
        { "signature does not verify", Pinned with { Signature = Convert.ToBase64String(new byte[63]) } },
        // Replays of what the signer really signed: an older version, and a second roster under the pinned number.
        { "roster version 1 is older than the pinned version 2 (a replayed roster)", FederationRoster.Sign(Pinned with { Analysts = [.. Pinned.Analysts!, Mallory], Version = 1 }, Signer) },
        { "roster version 2 differs from the pinned roster of the same version: analyst mallory is not in the pinned roster", FederationRoster.Sign(Pinned with { Analysts = [.. Pinned.Analysts!, Mallory] }, Signer) },
    };

    [Theory]
    [MemberData(nameof(BadlySigned))]
    public void A_site_that_pins_the_roster_signer_refuses_a_tampered_foreign_unsigned_or_replayed_roster(string expected, FederationConfig shown)
    {
        var pinned = FederationRoster.Sign(Pinned, Signer);

        // Through the same bytes the enclave sends, so nothing is lost or added on the way.
        Assert.Contains(expected, FederationRoster.Refusal(pinned, FederationRoster.Parse(FederationRoster.Shown(shown)), Signer), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_site_refuses_to_contribute_when_As_host_alters_the_signed_roster()
    {
        // A's host adds an analyst whose key it holds, hoping to read the answers: the sites see the roster inside
        // their attested channels, find that the signature they pinned does not cover it, and send nothing.
        await using var federation = await Federation.StartAsync(
            ["A", "B"],
            (_, index) => Federation.PinArguments(300, index, 2),
            analysts: ["alice"],
            hostRoster: roster => roster.Config with { Analysts = [.. roster.Config.Analysts!, Mallory] });
        using var client = federation.Client("alice");

        var ex = await Assert.ThrowsAsync<FederatedSqlException>(() => client.QueryAsync("SELECT o_orderstatus, COUNT(*) FROM orders GROUP BY o_orderstatus", 1));

        Assert.Contains("RosterMismatch", ex.Message, StringComparison.Ordinal);
        Assert.Contains("signature does not verify with the pinned roster signer key", ex.Message, StringComparison.Ordinal);
        // Each site sent its header record and nothing after it: no chunk of rows, no trailer.
        Assert.All(["A", "B"], site => Assert.Equal(1, federation.Relayed.Count(f => !f.Analyst && f.Site == site && f.ToEnclave && f.Frame[0] == 5)));
    }

    [Fact]
    public async Task A_site_refuses_to_contribute_when_As_host_replays_an_older_signed_roster()
    {
        // The older roster really was signed (mallory was an analyst then, say), but the sites pinned version 1.
        await using var federation = await Federation.StartAsync(
            ["A", "B"],
            (_, index) => Federation.PinArguments(300, index, 2),
            hostRoster: roster => roster.Sign(roster.Config with { Version = 0 }));

        var ex = await Assert.ThrowsAsync<FederatedSqlException>(() => federation.Coordinator.QueryAsync("SELECT o_orderstatus, COUNT(*) FROM orders GROUP BY o_orderstatus", 1));

        Assert.Contains("roster version 0 is older than the pinned version 1", ex.Message, StringComparison.Ordinal);
        Assert.All(["A", "B"], site => Assert.Equal(1, federation.Relayed.Count(f => f.Site == site && f.ToEnclave && f.Frame[0] == 5)));
    }

    [Fact]
    public async Task Sites_contribute_to_a_newer_roster_version_the_roster_signer_signed_without_being_re_pinned()
    {
        // The signer raised the k floor to 2 and signed it as version 2; the sites still hold version 1.
        await using var federation = await Federation.StartAsync(
            ["A", "B"],
            (_, index) => Federation.PinArguments(300, index, 2),
            hostRoster: roster => roster.Sign(roster.Config with { Version = 2, MinGroupRowsFloor = 2 }));

        var result = await federation.Coordinator.QueryAsync("SELECT o_orderstatus, COUNT(*) FROM orders GROUP BY o_orderstatus ORDER BY 1", 2);

        Assert.Equal(300L, result.Rows.Sum(r => (long)r[1]!));
        // Each site keeps version 2 as its floor across restarts, in its own file beside the pinned roster.
        Assert.All(["A", "B"], site => Assert.Equal(2, FederationRoster.Parse(File.ReadAllBytes($"{federation.Roster.Path}.{site}.accepted")).Version));
    }

    [Fact]
    public async Task A_site_whose_pinned_roster_file_was_altered_refuses_to_start_with_a_clear_error()
    {
        var directory = Directory.CreateTempSubdirectory("fedsql-roster-");
        try
        {
            var roster = LocalRoster.Create(directory.FullName, ["A"], ["alice"]);
            File.WriteAllBytes(roster.Path, FederationRoster.Shown(roster.Config with { Analysts = [.. roster.Config.Analysts!, Mallory] }));

            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => LocalSiteProcess.StartAsync(Federation.SiteDll, "A", [.. Federation.PinArguments(30, 0, 1), .. roster.SiteArguments("A")]));

            Assert.Contains("the pinned roster cannot be used: the roster's signature does not verify", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
