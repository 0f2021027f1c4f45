namespace SecGear.AttestationService;

/// <summary>
/// Body of a successful <c>GET /resources/{repository}/{type}/{tag}</c> or <c>GET /sealing-keys/{policy}/{securityVersion}</c>:
/// the secret sealed to the runtime key bound in the caller's attestation token (<see cref="ResourceEnvelope.Open"/>
/// inside the enclave).
/// </summary>
/// <param name="Path">The resource path the envelope is bound to.</param>
/// <param name="Envelope">The sealed secret.</param>
/// <param name="Signature">
/// Sealing keys only: a compact JWS (ES256) by the service's token-signing key whose payload binds the path, the
/// recipient key and the envelope (<see cref="SealingKeyResponseSignature"/>), so a runner that pins the service's keys
/// can tell the service's root from one an impostor sealed to the same (public) recipient key. Null on resources.
/// </param>
public sealed record ResourceResponse(string Path, SealedResource Envelope, string? Signature = null);
