namespace SecGear.AttestationService.Storage;

/// <summary>An issued challenge awaiting its attestation.</summary>
/// <param name="SessionId">The opaque session id handed to the client.</param>
/// <param name="Nonce">The 32-byte nonce.</param>
/// <param name="PolicyId">The policy the attestation must name, when the client fixed one.</param>
/// <param name="ExpiresAt">After this instant the challenge is refused.</param>
public sealed record StoredChallenge(string SessionId, byte[] Nonce, string? PolicyId, DateTimeOffset ExpiresAt);
