using System.Security.Cryptography;
using System.Text.Json;

namespace SecGear.FederatedSql.Protocol;

/// <summary>
/// The canonical form of a <see cref="FederationConfig"/>: the bytes the enclave shows every site inside the attested
/// channel, and the bytes a site compares with the roster its operator pinned. Canonical means sites and analysts are
/// sorted by name and pins are lower case, so two files that say the same thing compare equal.
/// </summary>
public static class FederationRoster
{
    /// <summary>The most bytes of a roster.</summary>
    public const int MaxBytes = 256 * 1024;

    /// <summary>The canonical bytes of <paramref name="config"/> (UTF-8 JSON).</summary>
    public static byte[] Canonical(FederationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var canonical = new FederationConfig(
            Sort(config.Sites) ?? [],
            config.Tables,
            config.MinGroupRowsFloor,
            Sort(config.Analysts),
            config.QueryBudget);
        return JsonSerializer.SerializeToUtf8Bytes(canonical);
    }

    /// <summary>Hex SHA-256 of the canonical bytes (what logs and the coordinator's description show).</summary>
    public static string Digest(FederationConfig config) => Convert.ToHexStringLower(SHA256.HashData(Canonical(config)));

    /// <summary>Parses a roster (a file an operator pinned, or the bytes the enclave showed).</summary>
    /// <exception cref="FederatedSqlException"><see cref="FederatedSqlFailureCode.RosterMismatch"/>: not a roster.</exception>
    public static FederationConfig Parse(ReadOnlySpan<byte> json)
    {
        if (json.Length > MaxBytes)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.RosterMismatch, $"the roster is larger than {MaxBytes} bytes");
        }

        try
        {
            var config = JsonSerializer.Deserialize<FederationConfig>(json);
            return config is { Sites: not null } ? config : throw new FederatedSqlException(FederatedSqlFailureCode.RosterMismatch, "the roster names no sites");
        }
        catch (JsonException ex)
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.RosterMismatch, $"the roster is not JSON of the documented form ({ex.Message})");
        }
    }

    /// <summary>
    /// Null when <paramref name="shown"/> says the same as <paramref name="pinned"/>; otherwise what differs (names, pins
    /// and numbers only: a roster holds no data values).
    /// </summary>
    public static string? Difference(FederationConfig pinned, FederationConfig shown)
    {
        ArgumentNullException.ThrowIfNull(pinned);
        ArgumentNullException.ThrowIfNull(shown);
        if (Canonical(pinned).AsSpan().SequenceEqual(Canonical(shown)))
        {
            return null;
        }

        var differences = new List<string>();
        Compare("site", pinned.Sites, shown.Sites, differences);
        Compare("analyst", pinned.Analysts, shown.Analysts, differences);
        if (pinned.MinGroupRowsFloor != shown.MinGroupRowsFloor)
        {
            differences.Add($"k floor {shown.MinGroupRowsFloor}, pinned {pinned.MinGroupRowsFloor}");
        }

        if (pinned.QueryBudget != shown.QueryBudget)
        {
            differences.Add($"query budget {shown.QueryBudget?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, pinned {pinned.QueryBudget?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}");
        }

        if (differences.Count == 0)
        {
            differences.Add("the catalog differs");
        }

        return string.Join("; ", differences);
    }

    private static void Compare(string what, IReadOnlyList<SiteEntry>? pinned, IReadOnlyList<SiteEntry>? shown, List<string> differences)
    {
        var expected = (Sort(pinned) ?? []).ToDictionary(e => e.Name, e => e.SpkiSha256, StringComparer.Ordinal);
        var actual = (Sort(shown) ?? []).ToDictionary(e => e.Name, e => e.SpkiSha256, StringComparer.Ordinal);
        foreach (var (name, pin) in actual)
        {
            if (!expected.TryGetValue(name, out string? pinnedKey))
            {
                differences.Add($"{what} {name} is not in the pinned roster");
            }
            else if (pinnedKey != pin)
            {
                differences.Add($"{what} {name} has key {pin[..Math.Min(16, pin.Length)]}..., pinned {pinnedKey[..Math.Min(16, pinnedKey.Length)]}...");
            }
        }

        differences.AddRange(expected.Keys.Where(name => !actual.ContainsKey(name)).Select(name => $"{what} {name} of the pinned roster is missing"));
    }

    private static List<SiteEntry>? Sort(IReadOnlyList<SiteEntry>? entries) =>
        entries?.Select(e => new SiteEntry(e.Name, e.SpkiSha256?.ToLowerInvariant() ?? string.Empty)).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
}
