namespace SecGear.AttestationService.Storage;

/// <summary>A filter over the audit log (all conditions must hold; null = any).</summary>
/// <param name="Endpoint">The route that made the decision (e.g. <c>/attestation</c>).</param>
/// <param name="Verdict">The verdict (<c>affirming</c>, <c>contraindicated</c>, <c>refused</c>, <c>released</c>).</param>
/// <param name="Tee">The TEE name.</param>
/// <param name="FailureCode">The failure or problem code.</param>
/// <param name="Id">One row by id.</param>
/// <param name="BeforeId">Only rows older than this id (paging).</param>
/// <param name="Limit">Most rows returned (1-500).</param>
public sealed record AuditQuery(
    string? Endpoint = null,
    string? Verdict = null,
    string? Tee = null,
    string? FailureCode = null,
    long? Id = null,
    long? BeforeId = null,
    int Limit = 100);
