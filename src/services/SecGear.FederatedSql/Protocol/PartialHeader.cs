namespace SecGear.FederatedSql.Protocol;

/// <summary>The first message of a partial result.</summary>
/// <param name="QueryId">The enclave's 16-byte query id.</param>
/// <param name="Nonce">The enclave's 32-byte single-use nonce for this site and query.</param>
/// <param name="PlanDigest">SHA-256 of the partial SQL the site ran.</param>
/// <param name="MinGroupRows">The disclosure k the site agreed to.</param>
/// <param name="ColumnCount">Columns per partial row.</param>
public sealed record PartialHeader(byte[] QueryId, byte[] Nonce, byte[] PlanDigest, int MinGroupRows, int ColumnCount);
