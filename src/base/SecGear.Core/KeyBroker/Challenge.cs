namespace SecGear.AttestationService;

/// <summary>Body of <c>POST /challenge</c>.</summary>
/// <param name="PolicyId">When set, the attestation that uses this challenge must name the same policy.</param>
public sealed record ChallengeRequest(string? PolicyId = null);

/// <summary>A single-use nonce bound to a session; the enclave binds it into its evidence with <see cref="ReportDataBinding"/>.</summary>
/// <param name="SessionId">Opaque id to send back in <see cref="AttestationRequest.SessionId"/>.</param>
/// <param name="Nonce">32 random bytes (base64 in JSON).</param>
/// <param name="ExpiresAt">After this instant the challenge is refused.</param>
public sealed record ChallengeResponse(string SessionId, byte[] Nonce, DateTimeOffset ExpiresAt);
