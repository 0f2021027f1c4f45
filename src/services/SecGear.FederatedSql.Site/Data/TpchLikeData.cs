using System.Globalization;

namespace SecGear.FederatedSql.Site.Data;

/// <summary>
/// A deterministic TPC-H-like data set (nation, customer, orders, lineitem), split over the sites of a federation. Each
/// order's values depend only on its number, so the union of every site's part is the whole data set, whichever engine
/// holds it. Orders go to sites in proportion 1 : 2 : ... : n (site 0 largest), so the sites hold different amounts.
/// Generated in .NET rather than with DuckDB's tpch extension: extensions cannot be downloaded here, and the same rows
/// must also load into PostgreSQL. About 1 in 100 line items has a NULL ship mode, so NULL groups are exercised.
/// </summary>
public static class TpchLikeData
{
    /// <summary>The DDL of the four tables (valid in DuckDB and PostgreSQL).</summary>
    public static readonly IReadOnlyList<string> Schema =
    [
        "CREATE TABLE nation (n_nationkey BIGINT, n_name VARCHAR, n_regionkey BIGINT)",
        "CREATE TABLE customer (c_custkey BIGINT, c_name VARCHAR, c_nationkey BIGINT, c_mktsegment VARCHAR, c_acctbal DECIMAL(15,2))",
        "CREATE TABLE orders (o_orderkey BIGINT, o_custkey BIGINT, o_orderstatus VARCHAR, o_totalprice DECIMAL(15,2), o_orderdate DATE, o_orderpriority VARCHAR, o_shippriority BIGINT)",
        "CREATE TABLE lineitem (l_orderkey BIGINT, l_linenumber BIGINT, l_quantity DECIMAL(15,2), l_extendedprice DECIMAL(15,2), l_discount DECIMAL(15,2), l_tax DECIMAL(15,2), l_returnflag VARCHAR, l_linestatus VARCHAR, l_shipdate DATE, l_shipmode VARCHAR)",
    ];

    /// <summary>The customers of the data set (replicated at every site).</summary>
    public const int Customers = 300;

    private static readonly string[] Nations =
    [
        "ALGERIA", "ARGENTINA", "BRAZIL", "CANADA", "EGYPT", "ETHIOPIA", "FRANCE", "GERMANY", "INDIA", "INDONESIA", "IRAN", "IRAQ", "JAPAN",
        "JORDAN", "KENYA", "MOROCCO", "MOZAMBIQUE", "PERU", "CHINA", "ROMANIA", "SAUDI ARABIA", "VIETNAM", "RUSSIA", "UNITED KINGDOM", "UNITED STATES",
    ];

    private static readonly int[] NationRegions = [0, 1, 1, 1, 4, 0, 3, 3, 2, 2, 4, 4, 2, 4, 0, 0, 0, 1, 2, 3, 4, 2, 3, 3, 1];
    private static readonly string[] Segments = ["AUTOMOBILE", "BUILDING", "FURNITURE", "HOUSEHOLD", "MACHINERY"];
    private static readonly string[] Priorities = ["1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"];
    private static readonly string[] ShipModes = ["AIR", "FOB", "MAIL", "RAIL", "REG AIR", "SHIP", "TRUCK"];
    private static readonly DateOnly FirstOrderDate = new(1992, 1, 1);

    /// <summary>Which site (0-based, of <paramref name="sites"/>) holds order number <paramref name="order"/> (0-based).</summary>
    public static int SiteOf(long order, int sites)
    {
        // Triangular weights: site 0 gets n parts, site 1 n-1 parts, ..., so every site holds a different share.
        int parts = sites * (sites + 1) / 2;
        int slot = (int)(Mix((ulong)order ^ 0x5151_5151UL) % (ulong)parts);
        for (int site = 0; site < sites; site++)
        {
            slot -= sites - site;
            if (slot < 0)
            {
                return site;
            }
        }

        return sites - 1;
    }

    /// <summary>The nation rows.</summary>
    public static IEnumerable<object?[]> NationRows() =>
        Nations.Select((name, i) => new object?[] { (long)i, name, (long)NationRegions[i] });

    /// <summary>The customer rows.</summary>
    public static IEnumerable<object?[]> CustomerRows()
    {
        for (long c = 1; c <= Customers; c++)
        {
            ulong r = Mix((ulong)c * 7919);
            yield return
            [
                c,
                string.Create(CultureInfo.InvariantCulture, $"Customer#{c:D9}"),
                (long)(r % 25),
                Segments[(int)((r >> 8) % 5)],
                ((long)((r >> 16) % 1_100_000) - 100_000) / 100m,
            ];
        }
    }

    /// <summary>The orders and their line items held by one site (all sites when <paramref name="site"/> is null).</summary>
    public static IEnumerable<(object?[] Order, List<object?[]> Lines)> OrdersOf(long totalOrders, int? site, int sites)
    {
        for (long g = 0; g < totalOrders; g++)
        {
            if (site is { } s && SiteOf(g, sites) != s)
            {
                continue;
            }

            yield return Order(g);
        }
    }

    private static (object?[] Order, List<object?[]> Lines) Order(long g)
    {
        ulong r = Mix((ulong)g + 1);
        long key = g + 1;
        var date = FirstOrderDate.AddDays((int)(r % 2400));
        int lineCount = 1 + (int)((r >> 12) % 7);
        var lines = new List<object?[]>(lineCount);
        decimal total = 0;
        int shipped = 0;
        for (int l = 1; l <= lineCount; l++)
        {
            ulong q = Mix(((ulong)g << 3) + (ulong)l);
            decimal quantity = 1 + (long)(q % 50);
            decimal price = decimal.Round(quantity * (900 + (long)((q >> 8) % 100_000) / 100m), 2);
            decimal discount = (long)((q >> 24) % 11) / 100m;
            decimal tax = (long)((q >> 28) % 9) / 100m;
            var shipDate = date.AddDays(1 + (int)((q >> 32) % 121));
            bool delivered = shipDate < new DateOnly(1995, 6, 17);
            shipped += delivered ? 1 : 0;
            string returnFlag = delivered ? ((q >> 40) % 2 == 0 ? "R" : "A") : "N";
            string? mode = (q >> 44) % 100 == 0 ? null : ShipModes[(int)((q >> 48) % 7)];
            total += decimal.Round(price * (1 + tax) * (1 - discount), 2);
            lines.Add([key, (long)l, quantity, price, discount, tax, returnFlag, delivered ? "F" : "O", shipDate, mode]);
        }

        string status = shipped == lineCount ? "F" : shipped == 0 ? "O" : "P";
        object?[] order = [key, 1 + (long)((r >> 20) % Customers), status, total, date, Priorities[(int)((r >> 32) % 5)], 0L];
        return (order, lines);
    }

    // SplitMix64's finaliser: a fixed, well-mixed function of the order number (the same on every machine).
    private static ulong Mix(ulong x)
    {
        x += 0x9E37_79B9_7F4A_7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D0_49BB_1331_11EBUL;
        return x ^ (x >> 31);
    }
}
