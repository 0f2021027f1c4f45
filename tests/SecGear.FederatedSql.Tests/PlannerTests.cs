using SecGear.FederatedSql.Planning;

namespace SecGear.FederatedSql.Tests;

public sealed class PlannerTests
{
    private static QueryPlan Plan(string sql, int k = 1) => QueryPlanner.Plan(sql, FederationCatalog.TpchLike, k);

    [Fact]
    public void Filters_joins_and_partial_aggregation_are_pushed_to_the_sites()
    {
        var plan = Plan("SELECT n_name, AVG(o_totalprice) FROM orders JOIN customer ON o_custkey = c_custkey JOIN nation ON c_nationkey = n_nationkey WHERE o_orderstatus = 'F' GROUP BY n_name HAVING SUM(o_totalprice) > 10 ORDER BY 2 DESC LIMIT 3");

        Assert.Equal(
            "SELECT nation.n_name AS k0, COUNT(*) AS p0, SUM(orders.o_totalprice) AS p1, COUNT(orders.o_totalprice) AS p2 FROM orders JOIN customer ON (orders.o_custkey = customer.c_custkey) JOIN nation ON (customer.c_nationkey = nation.n_nationkey) WHERE (orders.o_orderstatus = 'F') GROUP BY nation.n_name",
            plan.PartialSql);
        Assert.Equal(3, plan.Limit);
        Assert.Contains("HAVING (SUM(orders.o_totalprice) > 10) AND COUNT(*) >= 1", plan.ReferenceSql, StringComparison.Ordinal);
    }

    [Fact]
    public void Count_distinct_makes_the_sites_group_by_its_argument()
    {
        var plan = Plan("SELECT o_orderstatus, COUNT(DISTINCT o_custkey) FROM orders GROUP BY o_orderstatus");

        Assert.Equal("orders.o_custkey", plan.DistinctArgument);
        Assert.EndsWith("GROUP BY orders.o_orderstatus, orders.o_custkey", plan.PartialSql, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SELECT * FROM orders", "SELECT *")]
    [InlineData("SELECT o_orderkey FROM orders", "never outputs raw rows")]
    [InlineData("SELECT o_custkey, COUNT(*) FROM orders LEFT JOIN customer ON o_custkey = c_custkey GROUP BY o_custkey", "LEFT JOIN")]
    [InlineData("SELECT COUNT(*) FROM orders JOIN lineitem ON o_custkey = l_orderkey", "partition keys")]
    [InlineData("SELECT COUNT(*) FROM customer", "only replicated tables")]
    [InlineData("SELECT COUNT(*) FROM orders WHERE o_custkey IN (SELECT c_custkey FROM customer)", "subqueries")]
    [InlineData("SELECT MEDIAN(o_totalprice) FROM orders", "MEDIAN")]
    [InlineData("SELECT SUM(DISTINCT o_totalprice) FROM orders", "SUM(DISTINCT")]
    [InlineData("SELECT COUNT(DISTINCT o_custkey), COUNT(DISTINCT o_orderstatus) FROM orders", "one per query")]
    [InlineData("SELECT COUNT(*) FROM orders UNION SELECT COUNT(*) FROM lineitem", "UNION")]
    [InlineData("SELECT SUM(COUNT(*)) FROM orders", "nested")]
    [InlineData("SELECT COUNT(*) FROM orders WHERE SUM(o_totalprice) > 1", "not allowed")]
    public void Queries_outside_the_subset_are_refused_with_a_message_naming_what(string sql, string named)
    {
        var ex = Assert.Throws<FederatedSqlException>(() => Plan(sql));

        Assert.Equal(FederatedSqlFailureCode.OutsideSubset, ex.Code);
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SELECT COUNT(*) FROM nowhere", "nowhere")]
    [InlineData("SELECT SUM(nothing) FROM orders", "nothing")]
    [InlineData("SELECT COUNT(*) FROM orders o JOIN lineitem l ON o.o_orderkey = l.l_orderkey WHERE x.o_custkey = 1", "x")]
    public void Unknown_names_are_refused(string sql, string named)
    {
        var ex = Assert.Throws<FederatedSqlException>(() => Plan(sql));

        Assert.Equal(FederatedSqlFailureCode.UnknownName, ex.Code);
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SELECT COUNT(* FROM orders")]
    [InlineData("SELECT COUNT(*) FROM orders WHERE o_comment = 'open")]
    [InlineData("SELECT COUNT(*) FROM orders LIMIT -1")]
    [InlineData("SELECT COUNT(*) FROM orders WHERE o_orderdate < DATE '1995-13-01'")]
    [InlineData("")]
    public void Malformed_sql_is_a_syntax_error(string sql)
    {
        var ex = Assert.Throws<FederatedSqlException>(() => Plan(sql));

        Assert.Equal(FederatedSqlFailureCode.Syntax, ex.Code);
    }

    [Fact]
    public void Deeply_nested_expressions_are_refused_not_a_stack_overflow()
    {
        string sql = "SELECT COUNT(*) FROM orders WHERE " + new string('(', 5000) + "1 = 1" + new string(')', 5000);

        Assert.Equal(FederatedSqlFailureCode.Syntax, Assert.Throws<FederatedSqlException>(() => Plan(sql)).Code);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void A_disclosure_k_below_one_is_refused(int k)
    {
        Assert.Equal(FederatedSqlFailureCode.PolicyRejected, Assert.Throws<FederatedSqlException>(() => Plan("SELECT COUNT(*) FROM orders", k)).Code);
    }
}
