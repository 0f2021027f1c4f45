using System.Globalization;

namespace SecGear.FederatedSql.Site;

/// <summary>The site service's command line (docs/federated-sql.md, "Running a site").</summary>
public sealed class SiteOptions
{
    /// <summary>The usage text.</summary>
    public const string Usage =
        "usage: SecGear.FederatedSql.Site --name NAME --measurement HEX --signer HEX --roster JSON [--roster-signer PEM [--roster-state FILE]] [--allow-in-process] [--ca PEM] [--port N]\n" +
        "         [--engine duckdb|postgresql] [--duckdb PATH] [--postgres CONNECTION --schema NAME]\n" +
        "         [--orders N --site-index I --sites N [--orders-only]] [--min-group-rows K] [--key PEM --certificate PEM]\n" +
        "  --measurement/--signer  the aggregation enclave this site sends results to (64 hex digits each)\n" +
        "  --roster                the federation roster this site's operator agreed to (sites, analysts, k floor; JSON):\n" +
        "                          the site sends no row unless the enclave shows exactly this roster\n" +
        "  --roster-signer         the public key (PEM, ECDSA P-256/P-384) of the roster signer: the roster must carry its signature,\n" +
        "                          and a newer signed version is accepted, an older one refused (default: content pinning)\n" +
        "  --roster-state          with --roster-signer: the file that keeps the newest accepted roster across restarts\n" +
        "                          (default: ROSTER.NAME.accepted beside the pinned roster)\n" +
        "  --allow-in-process      also accept an enclave run in its host's process (no isolation): benchmarks' reference only\n" +
        "  --ca                    the simulated attestation CA to trust (default: this machine's)\n" +
        "  --orders ...            load this site's part of the TPC-H-like data set (orders in total, 0-based index, site count)\n" +
        "  --orders-only           load orders but no line items (benchmarks of orders-only queries)\n" +
        "  --min-group-rows        the smallest disclosure k this site accepts in a plan (default 1)\n" +
        "  --key/--certificate     the site's channel key and certificate (default: a fresh P-256 key per start)";

    /// <summary>The site's name in the federation.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The TCP port on 127.0.0.1 (0: any free one).</summary>
    public int Port { get; set; }

    /// <summary>duckdb or postgresql.</summary>
    public string Engine { get; set; } = "duckdb";

    /// <summary>DuckDB data source (default in memory).</summary>
    public string DuckDbPath { get; set; } = ":memory:";

    /// <summary>PostgreSQL connection string.</summary>
    public string? PostgresConnection { get; set; }

    /// <summary>PostgreSQL schema of this site's tables.</summary>
    public string? PostgresSchema { get; set; }

    /// <summary>Orders in the whole data set (0: load nothing).</summary>
    public long Orders { get; set; }

    /// <summary>Whether to load orders without their line items.</summary>
    public bool OrdersOnly { get; set; }

    /// <summary>This site's 0-based index among <see cref="Sites"/>.</summary>
    public int SiteIndex { get; set; }

    /// <summary>How many sites share the data set.</summary>
    public int Sites { get; set; } = 1;

    /// <summary>The pinned enclave measurement.</summary>
    public byte[] Measurement { get; set; } = [];

    /// <summary>The pinned enclave signer.</summary>
    public byte[] Signer { get; set; } = [];

    /// <summary>The pinned roster file (docs/federated-sql.md, "Roster").</summary>
    public string RosterPath { get; set; } = string.Empty;

    /// <summary>The roster signer's public key or certificate (PEM); null: the roster's content is pinned.</summary>
    public string? RosterSignerPath { get; set; }

    /// <summary>
    /// With <see cref="RosterSignerPath"/>: the file that keeps the newest signed roster this site accepted, so a restart
    /// does not lower its floor back to the pinned version; null: <see cref="SiteRuntime.DefaultRosterStatePath"/>.
    /// </summary>
    public string? RosterStatePath { get; set; }

    /// <summary>
    /// Whether the site also accepts an enclave that ran in its host's process (in-process engine, no isolation): only for
    /// the benchmark that measures the same federation merging on A's host.
    /// </summary>
    public bool AllowInProcess { get; set; }

    /// <summary>The simulated attestation CA certificate to trust.</summary>
    public string CaPath { get; set; } = DefaultCaPath();

    /// <summary>The smallest k this site accepts.</summary>
    public int MinGroupRows { get; set; } = 1;

    /// <summary>PEM private key path (with <see cref="CertificatePath"/>).</summary>
    public string? KeyPath { get; set; }

    /// <summary>PEM certificate path (with <see cref="KeyPath"/>).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with a message for bad ones.</summary>
    public static SiteOptions Parse(IReadOnlyList<string> args)
    {
        var options = new SiteOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--name": options.Name = Value(); break;
                case "--port": options.Port = Int(Value(), "--port", 0, 65535); break;
                case "--engine": options.Engine = Value(); break;
                case "--duckdb": options.DuckDbPath = Value(); break;
                case "--postgres": options.PostgresConnection = Value(); break;
                case "--schema": options.PostgresSchema = Value(); break;
                case "--orders": options.Orders = Int(Value(), "--orders", 0, 100_000_000); break;
                case "--orders-only": options.OrdersOnly = true; break;
                case "--site-index": options.SiteIndex = Int(Value(), "--site-index", 0, 63); break;
                case "--sites": options.Sites = Int(Value(), "--sites", 1, 64); break;
                case "--measurement": options.Measurement = Hash(Value(), "--measurement"); break;
                case "--signer": options.Signer = Hash(Value(), "--signer"); break;
                case "--ca": options.CaPath = Value(); break;
                case "--roster": options.RosterPath = Value(); break;
                case "--roster-signer": options.RosterSignerPath = Value(); break;
                case "--roster-state": options.RosterStatePath = Value(); break;
                case "--allow-in-process": options.AllowInProcess = true; break;
                case "--min-group-rows": options.MinGroupRows = Int(Value(), "--min-group-rows", 1, 1_000_000); break;
                case "--key": options.KeyPath = Value(); break;
                case "--certificate": options.CertificatePath = Value(); break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }

        if (string.IsNullOrWhiteSpace(options.Name))
        {
            throw new ArgumentException("--name is required");
        }

        if (options.Measurement.Length == 0 || options.Signer.Length == 0)
        {
            throw new ArgumentException("--measurement and --signer are required: a site sends results only to an enclave it pinned");
        }

        if (string.IsNullOrWhiteSpace(options.RosterPath))
        {
            throw new ArgumentException("--roster is required: a site contributes only to the federation its operator pinned");
        }

        if (options.RosterStatePath is not null && options.RosterSignerPath is null)
        {
            throw new ArgumentException("--roster-state needs --roster-signer: without a signer the roster's content is pinned and there is no newer version to keep");
        }

        if (options.Engine is not ("duckdb" or "postgresql"))
        {
            throw new ArgumentException("--engine is duckdb or postgresql");
        }

        if (options.Engine == "postgresql" && (options.PostgresConnection is null || options.PostgresSchema is null))
        {
            throw new ArgumentException("--engine postgresql needs --postgres CONNECTION and --schema NAME");
        }

        if (options.SiteIndex >= options.Sites)
        {
            throw new ArgumentException("--site-index must be smaller than --sites");
        }

        if ((options.KeyPath is null) != (options.CertificatePath is null))
        {
            throw new ArgumentException("--key and --certificate go together");
        }

        return options;
    }

    private static int Int(string text, string name, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{name} must be an integer from {min} to {max}");

    private static byte[] Hash(string hex, string name)
    {
        try
        {
            byte[] bytes = Convert.FromHexString(hex);
            return bytes.Length == 32 ? bytes : throw new ArgumentException($"{name} must be 32 bytes (64 hex digits)");
        }
        catch (FormatException)
        {
            throw new ArgumentException($"{name} must be hexadecimal");
        }
    }

    private static string DefaultCaPath()
    {
        string secret = Environment.GetEnvironmentVariable("SECGEAR_PLATFORM_SECRET") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".secgear", "simulation", "platform.secret");
        return secret + ".attestation-ca.pem";
    }
}
