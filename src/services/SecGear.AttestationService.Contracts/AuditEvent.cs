namespace SecGear.AttestationService;

/// <summary>One audited decision as the admin route <c>GET /audit</c> reports it: never a token, secret, key or nonce.</summary>
/// <param name="Id">The row id (grows with time; <c>beforeId</c> pages through older rows).</param>
/// <param name="Time">When the decision was made.</param>
/// <param name="Endpoint">The route that made it (<c>/attestation</c>, <c>/resources</c>, ...).</param>
/// <param name="Client">The client's remote address.</param>
/// <param name="PolicyId">The policy the decision concerned.</param>
/// <param name="PolicyVersion">Its version.</param>
/// <param name="Verdict"><c>affirming</c>, <c>contraindicated</c>, <c>refused</c> or <c>released</c>.</param>
/// <param name="FailureCode">The attestation failure or problem code.</param>
/// <param name="EvidenceSha256">SHA-256 of the evidence (hex).</param>
/// <param name="Tee">The TEE of the evidence, when it was parsed.</param>
/// <param name="Measurement">The enclave measurement / unique id (hex), when the evidence was parsed.</param>
public sealed record AuditEvent(
    long Id,
    DateTimeOffset Time,
    string Endpoint,
    string? Client,
    string? PolicyId,
    long? PolicyVersion,
    string Verdict,
    string? FailureCode,
    string? EvidenceSha256,
    string? Tee,
    string? Measurement);
