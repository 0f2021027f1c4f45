using SecGear.FederatedSql.Coordinator;
using SecGear.FederatedSql.Site.Engines;

namespace SecGear.FederatedSql.Tests;

public sealed class SiteFailureTests
{
    [Fact]
    public async Task A_site_refuses_an_enclave_that_fails_its_measurement_policy()
    {
        string wrong = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("another enclave"u8));
        var identity = SecGear.Images.EnclaveImage.Load(Federation.ImagePath).Identity;
        await using var federation = await Federation.StartAsync(
            ["A", "B"],
            (name, index) => name == "B"
                ? ["--orders", "300", "--site-index", "1", "--sites", "2", "--measurement", wrong, "--signer", identity.SignerHex, "--ca", Federation.CaPath]
                : Federation.PinArguments(300, index, 2));

        var ex = await Assert.ThrowsAsync<FederatedSqlException>(() => federation.Coordinator.QueryAsync("SELECT COUNT(*) FROM orders", 1));

        Assert.Equal(FederatedSqlFailureCode.SiteFailed, ex.Code);
        Assert.Contains("site B: the site refused the channel (AttestationFailed)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("PolicyUniqueIdNotAllowed", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(federation.Relayed, f => f.Site == "B" && f.ToEnclave && f.Frame[0] == 5);
    }

    [Fact]
    public async Task A_site_that_dies_mid_query_gives_a_clear_error_never_a_partial_answer()
    {
        await using var federation = await Federation.StartAsync(["A", "B"], (_, index) => Federation.PinArguments(20_000, index, 2));
        var victim = federation.Sites[1];
        federation.Interfere = frame =>
        {
            // B dies once its first partial-result record is on the way (a record of rows, before its trailer).
            if (frame.ToEnclave && frame.Site == "B" && frame.Frame[0] == 5 && frame.Frame.Length > 1000)
            {
                victim.Kill();
                return [];
            }

            return frame.Frame;
        };

        var ex = await Assert.ThrowsAsync<FederatedSqlException>(() => federation.Coordinator.QueryAsync("SELECT o_custkey, o_orderstatus, SUM(o_totalprice) FROM orders GROUP BY o_custkey, o_orderstatus", 1));

        Assert.Equal(FederatedSqlFailureCode.SiteFailed, ex.Code);
        Assert.Contains("site B", ex.Message, StringComparison.Ordinal);
        Assert.True(victim.HasExited, ex.Message);
    }

    [Fact]
    public async Task A_site_whose_pinned_roster_does_not_list_its_key_refuses_to_start_with_a_clear_error()
    {
        var directory = Directory.CreateTempSubdirectory("fedsql-roster-");
        try
        {
            var roster = LocalRoster.Create(directory.FullName, ["A"], []);
            var other = PartyKeys.Create(directory.FullName, "other");

            var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => LocalSiteProcess.StartAsync(Federation.SiteDll, "A", [.. Federation.PinArguments(30, 0, 1), .. LocalSiteProcess.RosterArguments(roster.Path, other)]));

            Assert.Contains("does not list site A with this site's key", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [PostgresFact]
    public async Task A_site_on_postgresql_answers_like_one_on_duckdb()
    {
        string connection = Environment.GetEnvironmentVariable(PostgresFactAttribute.Variable)!;
        string schema = "fedsql_" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            await using var federation = await Federation.StartAsync(
                ["A", "B", "C"],
                (name, index) => name == "B"
                    ? [.. Federation.PinArguments(Federation.Orders, index, 3), "--engine", "postgresql", "--postgres", connection, "--schema", schema]
                    : Federation.PinArguments(Federation.Orders, index, 3));
            const string Sql = "SELECT o.o_orderstatus, l.l_shipmode, COUNT(*), SUM(l.l_extendedprice), AVG(l.l_quantity), MIN(l.l_shipdate), COUNT(DISTINCT o.o_custkey) FROM orders o JOIN lineitem l ON o.o_orderkey = l.l_orderkey WHERE l.l_discount > 0.03 GROUP BY o.o_orderstatus, l.l_shipmode ORDER BY 1, 2";
            var plan = Planning.QueryPlanner.Plan(Sql, FederationCatalog.TpchLike, 1);

            var result = await federation.Coordinator.QueryAsync(Sql, 1);

            Assert.Null(Results.ResultComparison.Difference(result.Rows, Federation.Reference(plan.ReferenceSql), ordered: true));
        }
        finally
        {
            await using var engine = new PostgresEngine(connection, schema);
            await engine.DropAsync();
        }
    }
}
