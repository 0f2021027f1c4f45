using SecGear.EncryptedDb.Client;

namespace EncryptedDb.Host;

/// <summary>One query of the demo: the same SQL runs on the encrypted tables and on the plaintext copy.</summary>
/// <param name="Name">What it shows.</param>
/// <param name="Sql">The SQL (the supported subset, which is also plain PostgreSQL).</param>
/// <param name="Route">Where it must run on the encrypted tables.</param>
/// <param name="Ordered">True when ORDER BY fixes the row order completely (compared as a sequence, else as a multiset).</param>
public sealed record DemoQuery(string Name, string Sql, QueryRoute Route, bool Ordered)
{
    /// <summary>The demo's queries over <paramref name="data"/>: every operator on randomized columns, mixed with plaintext predicates, and the deterministic ones PostgreSQL runs alone.</summary>
    public static IReadOnlyList<DemoQuery> All(DemoDataset data) =>
    [
        new("deterministic =", $"SELECT id, name, credit_limit FROM customers WHERE email = '{data.EmailOf(42)}'", QueryRoute.Database, false),
        new("deterministic IN + GROUP BY", "SELECT country, COUNT(*) FROM customers WHERE country IN ('Germany', 'France', 'Japan') GROUP BY country", QueryRoute.Database, false),
        new("deterministic equi-join", "SELECT p.category, COUNT(*) FROM line_items li JOIN products p ON li.sku = p.sku GROUP BY p.category", QueryRoute.Database, false),
        new("deterministic <>", "SELECT COUNT(*) FROM orders WHERE status <> 'cancelled'", QueryRoute.Database, false),
        new("plaintext only", "SELECT category, COUNT(*), AVG(list_price) FROM products GROUP BY category ORDER BY category", QueryRoute.Database, true),
        new("randomized = with plaintext range", "SELECT id, total FROM orders WHERE priority = 5 AND order_date >= DATE '2025-06-01' ORDER BY id", QueryRoute.Enclave, true),
        new("randomized <>", "SELECT COUNT(*) FROM orders WHERE priority <> 3", QueryRoute.Enclave, false),
        new("randomized <", "SELECT id, quantity FROM line_items WHERE quantity < 2 AND order_id <= 2000 ORDER BY id", QueryRoute.Enclave, true),
        new("randomized > with COUNT and SUM", "SELECT COUNT(*), SUM(total) FROM orders WHERE total > 900", QueryRoute.Enclave, false),
        new("randomized >= ORDER BY DESC", "SELECT id, credit_limit FROM customers WHERE credit_limit >= 49000 ORDER BY credit_limit DESC, id", QueryRoute.Enclave, true),
        new("randomized <= on dates", "SELECT COUNT(*) FROM customers WHERE birth_date <= DATE '1970-01-01'", QueryRoute.Enclave, false),
        new("BETWEEN with AVG", "SELECT COUNT(*), AVG(unit_price) FROM line_items WHERE unit_price BETWEEN 10 AND 20", QueryRoute.Enclave, false),
        new("NOT BETWEEN with plaintext <", "SELECT COUNT(*) FROM orders WHERE total NOT BETWEEN 100 AND 800 AND customer_id < 1000", QueryRoute.Enclave, false),
        new("IN on randomized, GROUP BY", "SELECT priority, COUNT(*) FROM orders WHERE priority IN (1, 2) GROUP BY priority ORDER BY priority", QueryRoute.Enclave, true),
        new("LIKE prefix", "SELECT id, note FROM line_items WHERE note LIKE 'fragile%' AND order_id < 3000 ORDER BY id", QueryRoute.Enclave, true),
        new("NOT LIKE", "SELECT COUNT(*) FROM line_items WHERE note NOT LIKE '%door%'", QueryRoute.Enclave, false),
        new("LIKE with _", "SELECT COUNT(*) FROM customers WHERE name LIKE 'A_a %'", QueryRoute.Enclave, false),
        new("ORDER BY randomized + LIMIT", "SELECT id, total FROM orders ORDER BY total DESC, id LIMIT 25", QueryRoute.Enclave, true),
        new("MIN and MAX in a plaintext date range", "SELECT MIN(total), MAX(total) FROM orders WHERE order_date BETWEEN DATE '2024-01-01' AND DATE '2024-12-31'", QueryRoute.Enclave, false),
        new("GROUP BY plaintext, SUM randomized", "SELECT segment, SUM(credit_limit), COUNT(*) FROM customers GROUP BY segment ORDER BY segment", QueryRoute.Enclave, true),
        new("GROUP BY deterministic, AVG randomized, ORDER BY", "SELECT status, AVG(total), COUNT(total) FROM orders GROUP BY status ORDER BY status", QueryRoute.Enclave, true),
        new("GROUP BY randomized (NULL group)", "SELECT priority, COUNT(*), MIN(total) FROM orders GROUP BY priority ORDER BY priority", QueryRoute.Enclave, true),
        new("join + randomized filter + GROUP BY", "SELECT c.country, SUM(o.total), COUNT(*) FROM customers c JOIN orders o ON o.customer_id = c.id WHERE o.priority >= 4 GROUP BY c.country ORDER BY c.country", QueryRoute.Enclave, true),
        new("OR across randomized columns", "SELECT COUNT(*) FROM orders WHERE priority = 1 OR total < 50", QueryRoute.Enclave, false),
        new("NOT", "SELECT COUNT(*) FROM line_items WHERE NOT (quantity > 3)", QueryRoute.Enclave, false),
        new("IS NULL on randomized", "SELECT COUNT(*), COUNT(priority) FROM orders WHERE priority IS NULL OR priority = 2", QueryRoute.Enclave, false),
        new("MIN/MAX text with plaintext =", "SELECT MIN(name), MAX(name) FROM customers WHERE segment = 'enterprise'", QueryRoute.Enclave, false),
        new("DISTINCT deterministic", "SELECT DISTINCT status FROM orders WHERE customer_id < 2000", QueryRoute.Database, false),
        new("DISTINCT randomized", "SELECT DISTINCT priority FROM orders WHERE order_date >= DATE '2025-01-01' ORDER BY priority", QueryRoute.Enclave, true),
        new("HAVING on COUNT (PostgreSQL)", "SELECT country, COUNT(*) FROM customers GROUP BY country HAVING COUNT(*) > 250", QueryRoute.Database, false),
        new("HAVING on randomized SUM", "SELECT status, COUNT(*) FROM orders GROUP BY status HAVING SUM(total) > 3000000 AND MIN(priority) = 1 ORDER BY status", QueryRoute.Enclave, true),
        new("three-table join", "SELECT p.category, SUM(li.quantity), MAX(li.unit_price) FROM line_items li JOIN orders o ON li.order_id = o.id JOIN products p ON li.sku = p.sku WHERE o.status = 'returned' AND li.quantity >= 10 GROUP BY p.category ORDER BY p.category", QueryRoute.Enclave, true),
    ];
}
