using System.Globalization;
using SecGear.EncryptedDb;
using SecGear.EncryptedDb.Client;

namespace EncryptedDb.Host;

/// <summary>
/// A retail schema (customers, products, orders, line items) generated deterministically from a seed, loaded twice:
/// encrypted through the client library, and in plaintext for the reference answers.
/// </summary>
public sealed class DemoDataset
{
    private static readonly string[] FirstNames = ["Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Tony", "Anita", "Niklaus", "Shafi", "Leslie", "Margaret", "John"];
    private static readonly string[] LastNames = ["Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Perlman", "Hoare", "Borg", "Wirth", "Goldwasser", "Lamport", "Hamilton", "Backus"];
    private static readonly string[] Countries = ["Germany", "France", "Japan", "China", "Brazil", "Canada", "India", "Kenya", "Spain", "Norway", "Chile", "Egypt"];
    private static readonly string[] Segments = ["retail", "smb", "enterprise"];
    private static readonly string[] Categories = ["books", "tools", "garden", "toys", "music", "sports", "kitchen", "office"];
    private static readonly string[] Statuses = ["open", "shipped", "delivered", "returned", "cancelled"];
    private static readonly string[] Notes = ["gift wrap", "fragile item", "deliver to back door", "call before delivery", "leave with neighbour"];

    /// <summary>Generates the dataset; the same seed and sizes give the same rows.</summary>
    public DemoDataset(int customers = 5_000, int products = 500, int orders = 30_000, int lineItems = 90_000, int seed = 17)
    {
        var random = new Random(seed);
        var start = new DateOnly(2023, 1, 1);
        Customers = [.. Enumerable.Range(1, customers).Select(id =>
        {
            string first = FirstNames[random.Next(FirstNames.Length)];
            string last = LastNames[random.Next(LastNames.Length)];
            return new object?[]
            {
                (long)id, $"{first} {last}", EmailOf(id, first, last), Countries[random.Next(Countries.Length)], Segments[random.Next(Segments.Length)],
                Math.Round((decimal)random.Next(2_000, 100_000) / 2m, 2), random.Next(10) == 0 ? null : new DateOnly(1950, 1, 1).AddDays(random.Next(20_000)),
            };
        })];
        Products = [.. Enumerable.Range(1, products).Select(id => new object?[]
        {
            (long)id, SkuOf(id), $"product {id}", Categories[random.Next(Categories.Length)], random.Next(100, 20_000) / 100m,
        })];
        Orders = [.. Enumerable.Range(1, orders).Select(id => new object?[]
        {
            (long)id, (long)random.Next(1, customers + 1), start.AddDays(random.Next(3 * 365)), Statuses[random.Next(Statuses.Length)],
            random.Next(500, 100_000) / 100m, random.Next(10) == 0 ? null : (long)random.Next(1, 6),
        })];
        LineItems = [.. Enumerable.Range(1, lineItems).Select(id => new object?[]
        {
            (long)id, (long)random.Next(1, orders + 1), SkuOf(random.Next(1, products + 1)), (long)random.Next(1, 21),
            random.Next(100, 5_000) / 100m, random.Next(3) * 0.05m, random.Next(10) < 7 ? null : $"{Notes[random.Next(Notes.Length)]} #{random.Next(100)}",
        })];
    }

    /// <summary>customers(id, name, email, country, segment, credit_limit, birth_date).</summary>
    public IReadOnlyList<object?[]> Customers { get; }

    /// <summary>products(id, sku, name, category, list_price).</summary>
    public IReadOnlyList<object?[]> Products { get; }

    /// <summary>orders(id, customer_id, order_date, status, total, priority).</summary>
    public IReadOnlyList<object?[]> Orders { get; }

    /// <summary>line_items(id, order_id, sku, quantity, unit_price, discount, note).</summary>
    public IReadOnlyList<object?[]> LineItems { get; }

    /// <summary>Total rows of all tables.</summary>
    public int RowCount => Customers.Count + Products.Count + Orders.Count + LineItems.Count;

    /// <summary>The tables: name, definition (with the encryption of each column) and rows.</summary>
    public IEnumerable<(string Name, IReadOnlyList<ColumnDefinition> Columns, IReadOnlyList<object?[]> Rows)> Tables =>
    [
        ("customers", CustomerColumns, Customers),
        ("products", ProductColumns, Products),
        ("orders", OrderColumns, Orders),
        ("line_items", LineItemColumns, LineItems),
    ];

    /// <summary>The column keys the schema uses.</summary>
    public static IReadOnlyList<string> KeyNames => ["cek_customers", "cek_orders", "cek_sku"];

    private static IReadOnlyList<ColumnDefinition> CustomerColumns =>
    [
        new("id", DbValueType.Int64),
        new("name", DbValueType.Text, EncryptionType.Randomized, "cek_customers"),
        new("email", DbValueType.Text, EncryptionType.Deterministic, "cek_customers"),
        new("country", DbValueType.Text, EncryptionType.Deterministic, "cek_customers"),
        new("segment", DbValueType.Text),
        new("credit_limit", DbValueType.Numeric, EncryptionType.Randomized, "cek_customers"),
        new("birth_date", DbValueType.Date, EncryptionType.Randomized, "cek_customers"),
    ];

    private static IReadOnlyList<ColumnDefinition> ProductColumns =>
    [
        new("id", DbValueType.Int64),
        new("sku", DbValueType.Text, EncryptionType.Deterministic, "cek_sku", "sku"),
        new("name", DbValueType.Text),
        new("category", DbValueType.Text),
        new("list_price", DbValueType.Numeric),
    ];

    private static IReadOnlyList<ColumnDefinition> OrderColumns =>
    [
        new("id", DbValueType.Int64),
        new("customer_id", DbValueType.Int64),
        new("order_date", DbValueType.Date),
        new("status", DbValueType.Text, EncryptionType.Deterministic, "cek_orders"),
        new("total", DbValueType.Numeric, EncryptionType.Randomized, "cek_orders"),
        new("priority", DbValueType.Int64, EncryptionType.Randomized, "cek_orders"),
    ];

    private static IReadOnlyList<ColumnDefinition> LineItemColumns =>
    [
        new("id", DbValueType.Int64),
        new("order_id", DbValueType.Int64),
        new("sku", DbValueType.Text, EncryptionType.Deterministic, "cek_sku", "sku"),
        new("quantity", DbValueType.Int64, EncryptionType.Randomized, "cek_orders"),
        new("unit_price", DbValueType.Numeric, EncryptionType.Randomized, "cek_orders"),
        new("discount", DbValueType.Numeric),
        new("note", DbValueType.Text, EncryptionType.Randomized, "cek_orders"),
    ];

    /// <summary>The e-mail address of customer <paramref name="id"/>.</summary>
    public string EmailOf(int id) => (string)Customers[id - 1][2]!;

    /// <summary>DDL of the same table in plaintext (the reference).</summary>
    public static string PlainDdl(string name, IReadOnlyList<ColumnDefinition> columns) =>
        $"CREATE TABLE {name} ({string.Join(", ", columns.Select(c => $"{c.Name} {SqlType(c)}{(c.Name == "id" ? " PRIMARY KEY" : "")}"))})";

    /// <summary>The openGauss-style DDL the client runs for the encrypted table (<c>ENCRYPTED WITH</c> per encrypted column).</summary>
    public static string EncryptedDdl(string name, IReadOnlyList<ColumnDefinition> columns) =>
        $"CREATE TABLE {name} ({string.Join(", ", columns.Select(c => $"{c.Name} {SqlType(c)}{(c.Name == "id" ? " PRIMARY KEY" : "")}{EncryptedWith(c)}"))})";

    private static string SqlType(ColumnDefinition column) => column.Type switch
    {
        DbValueType.Int64 => "bigint",
        DbValueType.Numeric => "numeric",
        DbValueType.Text => "text",
        _ => "date",
    };

    private static string EncryptedWith(ColumnDefinition column) => column.Encryption == EncryptionType.Plain
        ? string.Empty
        : $" ENCRYPTED WITH (COLUMN_ENCRYPTION_KEY = {column.KeyName}, ENCRYPTION_TYPE = {column.Encryption.ToString().ToUpperInvariant()}{(column.Domain is null ? "" : $", EQUALITY_DOMAIN = {column.Domain}")})";

    private static string EmailOf(int id, string first, string last) => string.Create(CultureInfo.InvariantCulture, $"{first}.{last}{id}@example.org").ToLowerInvariant();

    private static string SkuOf(int id) => string.Create(CultureInfo.InvariantCulture, $"SKU-{id:D5}");
}
