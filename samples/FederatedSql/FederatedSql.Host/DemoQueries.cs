namespace FederatedSql.Host;

/// <summary>The demo's queries: each is answered by the federation and checked against one DuckDB holding all the data.</summary>
internal static class DemoQueries
{
    public static readonly IReadOnlyList<string> All =
    [
        // TPC-H Q1-like: filter pushed down, partial SUM/AVG/COUNT per group at each site.
        """
        SELECT l_returnflag, l_linestatus, SUM(l_quantity) AS sum_qty, SUM(l_extendedprice) AS sum_base_price,
               SUM(l_extendedprice * (1 - l_discount)) AS sum_disc_price, AVG(l_quantity) AS avg_qty,
               AVG(l_discount) AS avg_disc, COUNT(*) AS count_order
        FROM lineitem WHERE l_shipdate <= DATE '1998-09-02'
        GROUP BY l_returnflag, l_linestatus ORDER BY l_returnflag, l_linestatus
        """,
        // Co-partitioned join, replicated join, HAVING, ORDER BY an aggregate, LIMIT.
        """
        SELECT n.n_name, COUNT(*) AS orders, SUM(o.o_totalprice) AS revenue, MIN(o.o_orderdate) AS first_order, MAX(o.o_totalprice) AS largest
        FROM orders o JOIN customer c ON o.o_custkey = c.c_custkey JOIN nation n ON c.c_nationkey = n.n_nationkey
        WHERE o.o_orderdate >= DATE '1994-01-01' AND o.o_orderdate < DATE '1996-01-01'
        GROUP BY n.n_name HAVING COUNT(*) > 10 ORDER BY revenue DESC, n.n_name LIMIT 10
        """,
        // Exact COUNT(DISTINCT) across sites (customers order at several sites).
        """
        SELECT c.c_mktsegment, COUNT(DISTINCT o.o_custkey) AS customers, COUNT(*) AS orders
        FROM orders o JOIN customer c ON o.o_custkey = c.c_custkey
        GROUP BY c.c_mktsegment ORDER BY c.c_mktsegment
        """,
        // lineitem joined with its orders (co-partitioned on the order key), NULL ship modes as a group, IN and LIKE.
        """
        SELECT l.l_shipmode, o.o_orderpriority, COUNT(*) AS lines, SUM(l.l_extendedprice) / COUNT(*) AS mean_price
        FROM lineitem l JOIN orders o ON l.l_orderkey = o.o_orderkey
        WHERE o.o_orderpriority IN ('1-URGENT', '2-HIGH') OR o.o_orderpriority LIKE '5%'
        GROUP BY l.l_shipmode, o.o_orderpriority ORDER BY 1, 2
        """,
        // A global aggregate.
        "SELECT COUNT(*), SUM(o_totalprice), AVG(o_totalprice), MIN(o_orderdate), MAX(o_orderdate), COUNT(DISTINCT o_custkey) FROM orders",
        // Small groups: the disclosure policy withholds those under k.
        "SELECT o_custkey, COUNT(*) AS orders, SUM(o_totalprice) AS spent FROM orders WHERE o_orderstatus = 'P' GROUP BY o_custkey ORDER BY o_custkey",
    ];

    /// <summary>Queries outside the subset: each must be refused with a clear error.</summary>
    public static readonly IReadOnlyList<string> Refused =
    [
        "SELECT * FROM orders",
        "SELECT o_orderkey, o_totalprice FROM orders",
        "SELECT o_custkey, COUNT(*) FROM orders LEFT JOIN customer ON o_custkey = c_custkey GROUP BY o_custkey",
        "SELECT COUNT(*) FROM orders JOIN lineitem ON o_custkey = l_linenumber",
    ];
}
