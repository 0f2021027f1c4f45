using SecGear.FederatedSql.Planning;
using SecGear.FederatedSql.Results;

namespace SecGear.FederatedSql.Tests;

public sealed class FederationTests(FederationFixture fixture) : IClassFixture<FederationFixture>
{
    public static TheoryData<string, int> Queries => new()
    {
        { "SELECT l_returnflag, l_linestatus, SUM(l_quantity), SUM(l_extendedprice * (1 - l_discount)), AVG(l_discount), COUNT(*) FROM lineitem WHERE l_shipdate <= DATE '1998-09-02' GROUP BY l_returnflag, l_linestatus ORDER BY 1, 2", 1 },
        { "SELECT n.n_name, COUNT(*) AS orders, SUM(o.o_totalprice) AS revenue, MAX(o.o_orderdate) FROM orders o JOIN customer c ON o.o_custkey = c.c_custkey JOIN nation n ON c.c_nationkey = n.n_nationkey GROUP BY n.n_name HAVING COUNT(*) > 20 ORDER BY revenue DESC, n.n_name LIMIT 7", 3 },
        { "SELECT c.c_mktsegment, COUNT(DISTINCT o.o_custkey), MIN(o.o_totalprice) FROM orders o JOIN customer c ON o.o_custkey = c.c_custkey GROUP BY c.c_mktsegment", 1 },
        { "SELECT l.l_shipmode, COUNT(*), SUM(l.l_extendedprice) / COUNT(*) FROM lineitem l JOIN orders o ON l.l_orderkey = o.o_orderkey WHERE o.o_orderpriority IN ('1-URGENT', '5-LOW') GROUP BY l.l_shipmode ORDER BY 1", 1 },
        { "SELECT o_custkey, COUNT(*), SUM(o_totalprice) FROM orders GROUP BY o_custkey ORDER BY o_custkey", 3 },
        { "SELECT COUNT(*), AVG(o_totalprice), COUNT(DISTINCT o_custkey) FROM orders WHERE o_orderdate BETWEEN DATE '1995-01-01' AND DATE '1995-12-31'", 1 },
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task Every_answer_equals_the_same_query_over_the_union_of_the_data_in_one_duckdb(string sql, int k)
    {
        var plan = QueryPlanner.Plan(sql, FederationCatalog.TpchLike, k);

        var result = await fixture.Federation.Coordinator.QueryAsync(sql, k);

        var expected = Federation.Reference(plan.ReferenceSql);
        Assert.NotEmpty(expected);
        Assert.Null(ResultComparison.Difference(result.Rows, expected, ordered: plan.OrderBy.Count > 0));
    }

    [Fact]
    public async Task The_disclosure_policy_withholds_small_groups_inside_the_enclave()
    {
        const string Sql = "SELECT o_custkey, COUNT(*) FROM orders GROUP BY o_custkey";
        var all = Federation.Reference(QueryPlanner.Plan(Sql, FederationCatalog.TpchLike, 1).ReferenceSql);
        int small = all.Count(r => (long)r[1]! < 12);

        var result = await fixture.Federation.Coordinator.QueryAsync(Sql, 12);

        Assert.True(small > 0 && small < all.Count, $"{small} of {all.Count} groups are small");
        Assert.Equal(small, result.SuppressedGroups);
        Assert.All(result.Rows, r => Assert.True((long)r[1]! >= 12));
    }

    [Fact]
    public async Task The_host_log_and_every_relayed_byte_hold_no_partial_value_of_any_site()
    {
        // Per-customer sums differ from site to site, and every group has contributions from more than one site, so a
        // site's partial value never equals a final answer that the host is allowed to see.
        const string Sql = "SELECT c.c_nationkey, SUM(o.o_totalprice), COUNT(*) FROM orders o JOIN customer c ON o.o_custkey = c.c_custkey GROUP BY c.c_nationkey";
        var plan = QueryPlanner.Plan(Sql, FederationCatalog.TpchLike, 1);
        var federation = fixture.Federation;
        federation.Relayed.Clear();

        var result = await federation.Coordinator.QueryAsync(Sql, 1);

        var finals = result.Rows.Select(r => (decimal)r[1]!).ToHashSet();
        var partials = Enumerable.Range(0, 3).SelectMany(site => Federation.Reference(plan.PartialSql, site)).ToList();
        var secrets = partials.Select(r => (decimal)r[2]!).Where(v => !finals.Contains(v)).ToList();
        Assert.True(secrets.Count > 50, $"only {secrets.Count} partial sums to look for");
        byte[] relayed = federation.Relayed.SelectMany(f => f.Frame).ToArray();
        Assert.True(relayed.Length > 2000, $"only {relayed.Length} bytes were relayed");
        string log = federation.HostLog;
        federation.AssertNowhereInHostView(secrets);

        // The plaintext framing of a partial-result chunk never appears either: only ciphertext records pass.
        Assert.Equal(-1, relayed.AsSpan().IndexOf("FQ\u0001\u0002"u8));
        Assert.Contains("relay: site B -> enclave  type 5", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tampered_partial_result_is_rejected_and_the_query_has_no_answer()
    {
        var federation = fixture.Federation;
        int records = 0, flipped = 0;
        federation.Interfere = frame =>
        {
            // B's second record is its first chunk of partial rows (the first is the header).
            if (frame.ToEnclave && frame.Site == "B" && frame.Frame[0] == 5 && Interlocked.Increment(ref records) == 2)
            {
                flipped = 1;
                byte[] copy = (byte[])frame.Frame.Clone();
                copy[^20] ^= 0x01;
                return copy;
            }

            return frame.Frame;
        };
        try
        {
            var ex = await Assert.ThrowsAsync<FederatedSqlException>(() => federation.Coordinator.QueryAsync("SELECT o_orderstatus, SUM(o_totalprice) FROM orders GROUP BY o_orderstatus", 1));

            Assert.Equal(1, flipped);
            Assert.Contains("site B", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            federation.Interfere = null;
        }

        // The federation still answers the next query.
        Assert.NotEmpty((await federation.Coordinator.QueryAsync("SELECT COUNT(*) FROM orders", 1)).Rows);
    }

    [Fact]
    public async Task A_replayed_partial_result_is_rejected_and_the_query_has_no_answer()
    {
        var federation = fixture.Federation;
        const string Sql = "SELECT o_orderpriority, COUNT(*) FROM orders GROUP BY o_orderpriority";
        federation.Relayed.Clear();
        await federation.Coordinator.QueryAsync(Sql, 1);
        var recorded = federation.Relayed.Where(f => f.ToEnclave && f.Site == "C" && f.Frame[0] == 5).Select(f => f.Frame).ToList();
        Assert.NotEmpty(recorded);

        int replayed = 0;
        federation.Interfere = frame =>
        {
            if (frame.ToEnclave && frame.Site == "C" && frame.Frame[0] == 5)
            {
                return recorded[Math.Min(Interlocked.Increment(ref replayed) - 1, recorded.Count - 1)];
            }

            return frame.Frame;
        };
        try
        {
            var ex = await Assert.ThrowsAsync<FederatedSqlException>(() => federation.Coordinator.QueryAsync(Sql, 1));
            Assert.True(replayed > 0);
            Assert.Contains("site C", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            federation.Interfere = null;
        }
    }
}
