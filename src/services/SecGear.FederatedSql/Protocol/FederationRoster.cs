using System.Security.Cryptography;
using System.Text.Json;

namespace SecGear.FederatedSql.Protocol;

/// <summary>
/// The canonical form of a <see cref="FederationConfig"/>, its signature, and the check a site makes before it
/// contributes. Canonical means sites and analysts are sorted by name and pins are lower case, so two files that say the
/// same thing compare equal; the canonical bytes (without the signature) are what the roster signer signs. The enclave
/// shows every site <see cref="Shown"/> (canonical roster and signature) inside the attested channel.
/// </summary>
public static class FederationRoster
{
    /// <summary>The most bytes of a roster.</summary>
    public const int MaxBytes = 256 * 1024;

    // Domain separation: a roster signature can never be mistaken for a signature over anything else.
    private static readonly byte[] SignatureContext = "SecGear.FederatedSql roster v1\n"u8.ToArray();

    /// <summary>The canonical bytes of <paramref name="config"/> (UTF-8 JSON, without the signature).</summary>
    public static byte[] Canonical(FederationConfig config) => JsonSerializer.SerializeToUtf8Bytes(CanonicalForm(config) with { Signature = null });

    /// <summary>What the enclave shows each site: the canonical roster with its signature, if it has one (UTF-8 JSON).</summary>
    public static byte[] Shown(FederationConfig config) => JsonSerializer.SerializeToUtf8Bytes(CanonicalForm(config));

    /// <summary>The bytes the roster signer signs: a fixed context string, then <see cref="Canonical"/>.</summary>
    public static byte[] SignedBytes(FederationConfig config) => [.. SignatureContext, .. Canonical(config)];

    /// <summary>
    /// Signs <paramref name="config"/> with the federation's roster signer (ECDSA P-256 or P-384, e.g. a key from
    /// <c>secgear keygen</c>); returns the roster with its
    /// <see cref="FederationConfig.Signature"/>. Run by whoever the sites trust to admit sites and analysts, never on
    /// A's host (docs/federated-sql.md, "Roster").
    /// </summary>
    public static FederationConfig Sign(FederationConfig config, ECDsa signer)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(signer);
        if (signer.KeySize is not (256 or 384))
        {
            throw new FederatedSqlException(FederatedSqlFailureCode.RosterMismatch, "the roster signer must be an ECDSA P-256 or P-384 key");
        }

        byte[] signature = signer.SignData(SignedBytes(config), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return config with { Signature = Convert.ToBase64String(signature) };
    }

    /// <summary>Null when <paramref name="config"/> carries a valid signature by <paramref name="signer"/>; otherwise why not.</summary>
    public static string? SignatureProblem(FederationConfig config, ECDsa signer)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(signer);
        if (string.IsNullOrEmpty(config.Signature))
        {
            return "the roster is not signed";
        }

        // IEEE P1363: r and s, each as long as the curve's order (64 bytes for P-256, 96 for P-384).
        int expected = 2 * ((signer.KeySize + 7) / 8);
        byte[] signature = new byte[expected];
        return Convert.TryFromBase64String(config.Signature, signature, out int length) && length == expected
            && signer.VerifyData(SignedBytes(config), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
            ? null
            : "the roster's signature does not verify with the pinned roster signer key";
    }

    /// <summary>
    /// Null when a site that pinned <paramref name="pinned"/> may contribute to a federation whose enclave shows
    /// <paramref name="shown"/>; otherwise why not. Without <paramref name="signer"/> (content pinning) the shown roster
    /// must say exactly what the pinned one says. With it, the shown roster must carry a valid signature by that key and
    /// be the pinned version or a newer one; under the pinned version it must say exactly what the pinned one says (a
    /// signer that signed two rosters under one number is not trusted with either).
    /// </summary>
    public static string? Refusal(FederationConfig pinned, FederationConfig shown, ECDsa? signer)
    {
        ArgumentNullException.ThrowIfNull(pinned);
        ArgumentNullException.ThrowIfNull(shown);
        if (signer is null)
        {
            return Difference(pinned, shown);
        }

        if (SignatureProblem(shown, signer) is { } problem)
        {
            return problem;
        }

        if (shown.Version < pinned.Version)
        {
            return $"roster version {shown.Version} is older than the pinned version {pinned.Version} (a replayed roster)";
        }

        return shown.Version == pinned.Version && Difference(pinned, shown) is { } difference
            ? $"roster version {shown.Version} differs from the pinned roster of the same version: {difference}"
            : null;
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

        if (pinned.Version != shown.Version)
        {
            differences.Add($"version {shown.Version}, pinned {pinned.Version}");
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

    private static FederationConfig CanonicalForm(FederationConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return new FederationConfig(Sort(config.Sites) ?? [], config.Tables, config.MinGroupRowsFloor, Sort(config.Analysts), config.QueryBudget, config.Version, config.Signature);
    }

    private static List<SiteEntry>? Sort(IReadOnlyList<SiteEntry>? entries) =>
        entries?.Select(e => new SiteEntry(e.Name, e.SpkiSha256?.ToLowerInvariant() ?? string.Empty)).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
}
