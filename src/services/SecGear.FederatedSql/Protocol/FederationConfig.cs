namespace SecGear.FederatedSql.Protocol;

/// <summary>
/// What the aggregation enclave is told once, at start: the sites of the federation (each pinned by the SHA-256 of its
/// channel certificate's public key), the catalog, and the smallest k any query may use.
/// </summary>
/// <param name="Sites">The federation's sites.</param>
/// <param name="Tables">The catalog (null: <see cref="FederationCatalog.TpchLike"/>).</param>
/// <param name="MinGroupRowsFloor">No query may ask for a smaller k.</param>
public sealed record FederationConfig(IReadOnlyList<SiteEntry> Sites, IReadOnlyList<TableSchema>? Tables = null, int MinGroupRowsFloor = 1)
{
    /// <summary>The catalog this configuration names.</summary>
    public FederationCatalog Catalog => Tables is null ? FederationCatalog.TpchLike : new FederationCatalog(Tables);
}

/// <summary>One site: its name and the lower-case hex SHA-256 of its channel certificate's SubjectPublicKeyInfo.</summary>
public sealed record SiteEntry(string Name, string SpkiSha256);
