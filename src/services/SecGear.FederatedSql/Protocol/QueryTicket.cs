namespace SecGear.FederatedSql.Protocol;

/// <summary>The enclave's plan for one query, handed to the coordinator: the partial plan and a single-use nonce per site.</summary>
/// <param name="QueryId">Hex of the 16-byte query id.</param>
/// <param name="PartialSql">The partial plan every site runs.</param>
/// <param name="MinGroupRows">The query's k.</param>
/// <param name="Sites">Per site: its name and hex nonce.</param>
public sealed record QueryTicket(string QueryId, string PartialSql, int MinGroupRows, IReadOnlyList<SiteTicket> Sites);

/// <summary>One site's part of a <see cref="QueryTicket"/>.</summary>
public sealed record SiteTicket(string Name, string Nonce);

/// <summary>A query as the coordinator hands it to the enclave.</summary>
/// <param name="Sql">The federated SQL.</param>
/// <param name="MinGroupRows">The disclosure policy's k for this query.</param>
/// <param name="Analyst">
/// The analyst of the roster who asked and alone may fetch the answer (required when the roster names analysts; the
/// host only relays the name, and the enclave releases the answer only inside that analyst's authenticated channel).
/// </param>
public sealed record QueryRequest(string Sql, int MinGroupRows, string? Analyst = null);
