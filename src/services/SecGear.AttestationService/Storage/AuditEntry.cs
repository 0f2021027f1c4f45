namespace SecGear.AttestationService.Storage;

/// <summary>One audit row with its id (ids grow with time).</summary>
/// <param name="Id">The row id.</param>
/// <param name="Record">The decision.</param>
public sealed record AuditEntry(long Id, AuditRecord Record);
