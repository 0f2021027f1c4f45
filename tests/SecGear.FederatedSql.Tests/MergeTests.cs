using SecGear.FederatedSql.Planning;
using SecGear.FederatedSql.Protocol;
using SecGear.FederatedSql.Results;

namespace SecGear.FederatedSql.Tests;

public sealed class MergeTests
{
    [Fact]
    public void Groups_with_fewer_than_k_contributing_rows_are_withheld_before_having_and_limit()
    {
        var plan = QueryPlanner.Plan("SELECT o_orderstatus, SUM(o_totalprice) FROM orders GROUP BY o_orderstatus ORDER BY 1", FederationCatalog.TpchLike, 5);
        var merger = new GroupMerger(plan);

        // Site 1 and site 2: group F has 3 + 3 rows (kept), group P has 2 + 2 rows (withheld), group O 4 rows at one site (withheld).
        Add(merger, ["F", 3L, 30.00m], ["P", 2L, 7.50m], ["O", 4L, 1.25m]);
        Add(merger, ["F", 3L, 12.00m], ["P", 2L, 2.50m]);
        var result = merger.Finish();

        var row = Assert.Single(result.Rows);
        Assert.Equal(new object?[] { "F", 42.00m }, row);
        Assert.Equal(2, result.SuppressedGroups);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(199)]
    [InlineData(500)]
    public void Order_by_with_limit_keeps_exactly_the_first_rows_of_the_full_sort_ties_in_first_merged_order(int limit)
    {
        // 200 groups whose sums repeat every 10 groups, so the ORDER BY key ties often; k = 2 withholds every 13th.
        const string Sql = "SELECT o_custkey, SUM(o_totalprice) AS total FROM orders GROUP BY o_custkey ORDER BY total DESC";
        var rows = Enumerable.Range(0, 200).Select(g => new object?[] { (long)g, g % 13 == 0 ? 1L : 2L, (g % 10) * 1.5m }).ToArray();
        var full = new GroupMerger(QueryPlanner.Plan(Sql, FederationCatalog.TpchLike, 2));
        var limited = new GroupMerger(QueryPlanner.Plan($"{Sql} LIMIT {limit}", FederationCatalog.TpchLike, 2));
        Add(full, rows);
        Add(limited, rows);

        var all = full.Finish();
        var top = limited.Finish();

        // Among equal totals, groups come in the order they were first merged (here: ascending customer).
        var expected = rows.Where(r => (long)r[1]! >= 2).OrderByDescending(r => (decimal)r[2]!).ThenBy(r => (long)r[0]!).Select(r => new object?[] { r[0], r[2] }).ToList();
        Assert.Equal(expected, all.Rows);
        Assert.Equal(expected.Take(limit).ToList(), top.Rows);
        Assert.Equal(all.SuppressedGroups, top.SuppressedGroups);
        Assert.Equal(16, top.SuppressedGroups);
    }

    [Fact]
    public void Averages_merge_from_partial_sums_and_counts_and_count_distinct_is_exact_across_sites()
    {
        var plan = QueryPlanner.Plan("SELECT AVG(o_totalprice), COUNT(DISTINCT o_custkey), MIN(o_orderdate) FROM orders", FederationCatalog.TpchLike, 1);
        var merger = new GroupMerger(plan);

        // Rows: d0 (custkey), p0 COUNT(*), p1 SUM, p2 COUNT(x), p3 MIN(date). Customer 7 ordered at both sites.
        Add(merger, [7L, 2L, 10m, 2L, new DateOnly(1995, 3, 1)], [8L, 1L, 5m, 1L, new DateOnly(1994, 1, 1)]);
        Add(merger, [7L, 1L, null, 0L, new DateOnly(1993, 5, 5)]);
        var result = merger.Finish();

        Assert.Equal(new object?[] { 15.0 / 3, 2L, new DateOnly(1993, 5, 5) }, Assert.Single(result.Rows));
    }

    [Fact]
    public void A_partial_count_that_is_not_a_non_negative_integer_is_rejected()
    {
        var plan = QueryPlanner.Plan("SELECT COUNT(*) FROM orders", FederationCatalog.TpchLike, 1);
        var merger = new GroupMerger(plan);

        var ex = Assert.Throws<FederatedSqlException>(() => Add(merger, [-5L]));
        Assert.Equal(FederatedSqlFailureCode.PartialResultRejected, ex.Code);
    }

    [Fact]
    public void A_truncated_chunk_is_rejected_not_read_past_its_end()
    {
        var plan = QueryPlanner.Plan("SELECT o_orderstatus, COUNT(*) FROM orders GROUP BY o_orderstatus", FederationCatalog.TpchLike, 1);
        var writer = new RowWriter();
        writer.WriteValue("F");
        writer.WriteValue(3L);
        byte[] cut = writer.ToArray()[..^3];

        var ex = Assert.Throws<FederatedSqlException>(() =>
        {
            var reader = new RowReader(cut);
            new GroupMerger(plan).AddRows(ref reader, 1);
        });
        Assert.Contains("ends early", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Answers_round_trip_through_the_result_encoding()
    {
        var result = new QueryResult(["a", "b"], [[1L, "x"], [null, 2.5], [12.34m, new DateOnly(2000, 2, 29)], [true, null]], 7);

        var decoded = QueryResultCodec.Decode(QueryResultCodec.Encode(result));

        Assert.Equal(result.Columns, decoded.Columns);
        Assert.Equal(7, decoded.SuppressedGroups);
        Assert.Null(ResultComparison.Difference(decoded.Rows, result.Rows, ordered: true));
    }

    private static void Add(GroupMerger merger, params object?[][] rows)
    {
        var writer = new RowWriter();
        foreach (var row in rows)
        {
            foreach (object? value in row)
            {
                writer.WriteValue(value);
            }
        }

        var reader = new RowReader(writer.WrittenSpan);
        merger.AddRows(ref reader, (uint)rows.Length);
        Assert.True(reader.AtEnd);
    }
}
