using System.Globalization;

namespace SecGear.FederatedSql.CoordinatorService;

/// <summary>The coordinator service's command line (docs/federated-sql.md, "Coordinator service").</summary>
public sealed class CoordinatorServiceOptions
{
    /// <summary>The usage text.</summary>
    public const string Usage =
        "usage: SecGear.FederatedSql.CoordinatorService --roster JSON --site NAME=URL ... [--image SGIMAGE] [--port N]\n" +
        "         [--site-timeout SECONDS] [--record FILE]\n" +
        "  --roster        the roster every site pinned (sites, analysts, k floor); it must name at least one analyst\n" +
        "  --site          where each site of the roster listens (http://127.0.0.1:PORT, h2c)\n" +
        "  --image         the aggregation enclave image (default: SecGear.FederatedSql.Enclave.sgimage beside this program)\n" +
        "  --record        append every byte the host relays to FILE (to audit what A's host sees)";

    /// <summary>The roster file.</summary>
    public string RosterPath { get; set; } = string.Empty;

    /// <summary>The sites' addresses by name.</summary>
    public Dictionary<string, Uri> Sites { get; } = new(StringComparer.Ordinal);

    /// <summary>The enclave image.</summary>
    public string ImagePath { get; set; } = Path.Combine(AppContext.BaseDirectory, "SecGear.FederatedSql.Enclave.sgimage");

    /// <summary>The TCP port on 127.0.0.1 (0: any free one).</summary>
    public int Port { get; set; }

    /// <summary>How long a site may take for one query.</summary>
    public TimeSpan SiteTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Where to record the relayed bytes (null: nowhere).</summary>
    public string? RecordPath { get; set; }

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with a message for bad ones.</summary>
    public static CoordinatorServiceOptions Parse(IReadOnlyList<string> args)
    {
        var options = new CoordinatorServiceOptions();
        for (int i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--roster": options.RosterPath = Value(); break;
                case "--image": options.ImagePath = Value(); break;
                case "--record": options.RecordPath = Value(); break;
                case "--port": options.Port = Int(Value(), "--port", 0, 65535); break;
                case "--site-timeout": options.SiteTimeout = TimeSpan.FromSeconds(Int(Value(), "--site-timeout", 1, 86_400)); break;
                case "--site":
                    string site = Value();
                    int equals = site.IndexOf('=', StringComparison.Ordinal);
                    if (equals <= 0 || !Uri.TryCreate(site[(equals + 1)..], UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
                    {
                        throw new ArgumentException($"--site takes NAME=URL (http://HOST:PORT), not '{site}'");
                    }

                    if (!options.Sites.TryAdd(site[..equals], address))
                    {
                        throw new ArgumentException($"site {site[..equals]} is given twice");
                    }

                    break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }

        if (string.IsNullOrWhiteSpace(options.RosterPath))
        {
            throw new ArgumentException("--roster is required");
        }

        return options;
    }

    private static int Int(string text, string name, int min, int max) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{name} must be an integer from {min} to {max}");
}
