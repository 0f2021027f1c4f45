using System.Text.Json.Serialization;

namespace SecGear.FederatedSql.Protocol;

/// <summary>
/// The federation's roster: what the aggregation enclave is told once, at start, and shows every site inside its
/// attested channel before the site contributes (<see cref="FederationRoster"/>). It names the sites (each pinned by the
/// SHA-256 of its channel certificate's public key), the analysts who may receive answers, the catalog, and the smallest
/// k any query may use.
/// </summary>
/// <param name="Sites">The federation's sites.</param>
/// <param name="Tables">The catalog (null: <see cref="FederationCatalog.TpchLike"/>).</param>
/// <param name="MinGroupRowsFloor">No query may ask for a smaller k.</param>
/// <param name="Analysts">
/// Who receives answers, each pinned like a site. Empty or null: answers are released to A's host in plaintext (the
/// host is the user); otherwise only inside an analyst's own attested channel, never to the host.
/// </param>
/// <param name="QueryBudget">
/// The most queries each analyst (or, without analysts, the host) may open during the enclave's life; null: no limit.
/// It bounds differencing attacks across queries, it does not prevent them (docs/federated-sql.md, "Disclosure policy").
/// </param>
/// <param name="Version">
/// The roster's serial number, signed with it: a site that pins the roster signer refuses a roster older than the one
/// it pinned (a replayed roster) and a different roster under the same number.
/// </param>
/// <param name="Signature">
/// Base64 ECDSA P-256 or P-384 signature (SHA-256, IEEE P1363) by the federation's roster signer over
/// <see cref="FederationRoster.SignedBytes"/>; null: unsigned (sites then pin the roster's content).
/// </param>
public sealed record FederationConfig(
    IReadOnlyList<SiteEntry> Sites,
    IReadOnlyList<TableSchema>? Tables = null,
    int MinGroupRowsFloor = 1,
    IReadOnlyList<SiteEntry>? Analysts = null,
    int? QueryBudget = null,
    long Version = 0,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Signature = null)
{
    /// <summary>The catalog this configuration names.</summary>
    public FederationCatalog Catalog => Tables is null ? FederationCatalog.TpchLike : new FederationCatalog(Tables);

    /// <summary>Whether answers go only to analysts, inside their channels.</summary>
    public bool ReleasesToAnalysts => Analysts is { Count: > 0 };
}

/// <summary>One site or analyst: its name and the lower-case hex SHA-256 of its channel certificate's SubjectPublicKeyInfo.</summary>
public sealed record SiteEntry(string Name, string SpkiSha256);
