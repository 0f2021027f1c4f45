namespace SecGear.CryptoModule;

/// <summary>
/// One audited key use or management action (no data, key material, IV or credential). Identical uses (same tenant,
/// key, version, operation and outcome) written together — within the audit writer's ~10 ms gathering window — are
/// one record with their number in <see cref="Uses"/>; <see cref="Time"/> is the first one's.
/// </summary>
/// <param name="Id">Monotonic id.</param>
/// <param name="Time">When it happened.</param>
/// <param name="Tenant">The tenant.</param>
/// <param name="KeyId">The key, if any.</param>
/// <param name="Version">The key version, if any.</param>
/// <param name="Operation">e.g. <c>sign</c>, <c>decrypt</c>, <c>rotate</c>.</param>
/// <param name="Outcome"><c>ok</c> or the problem code.</param>
/// <param name="Uses">How many uses the record stands for (1 for management actions).</param>
public sealed record AuditEntry(long Id, DateTimeOffset Time, string Tenant, string? KeyId, uint? Version, string Operation, string Outcome, long Uses = 1);

/// <summary>Audit records, newest first.</summary>
public sealed record AuditList(IReadOnlyList<AuditEntry> Entries);
