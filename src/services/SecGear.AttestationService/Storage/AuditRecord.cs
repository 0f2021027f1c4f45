namespace SecGear.AttestationService.Storage;

/// <summary>One decision of the service, as audited: never a token, secret, key or full nonce.</summary>
/// <param name="Time">When the decision was made.</param>
/// <param name="Endpoint">The route that made it (e.g. <c>/attestation</c>).</param>
/// <param name="Client">The client's remote address, when known.</param>
/// <param name="PolicyId">The policy (or resource path) the decision concerned.</param>
/// <param name="PolicyVersion">The version of that policy.</param>
/// <param name="Verdict"><c>affirming</c>, <c>contraindicated</c>, <c>released</c> or <c>refused</c>.</param>
/// <param name="FailureCode">The attestation failure or problem code, when refused.</param>
/// <param name="EvidenceSha256">SHA-256 of the evidence (hex), when there was evidence.</param>
/// <param name="Tee">The TEE the evidence came from (<c>TeeKind</c> name), when the evidence was parsed.</param>
/// <param name="Measurement">The enclave's unique id / measurement (hex), when the evidence was parsed.</param>
public sealed record AuditRecord(
    DateTimeOffset Time,
    string Endpoint,
    string? Client,
    string? PolicyId,
    long? PolicyVersion,
    string Verdict,
    string? FailureCode,
    string? EvidenceSha256,
    string? Tee = null,
    string? Measurement = null);
