namespace SecGear.AttestationService;

/// <summary>
/// Who may read a resource: a token issued under one of <paramref name="PolicyIds"/> (required, non-empty) whose
/// claims carry one of <paramref name="UniqueIds"/> and one of <paramref name="SignerIds"/> (hex; empty = any).
/// </summary>
public sealed record ResourcePolicy(
    IReadOnlyList<string> PolicyIds,
    IReadOnlyList<string>? UniqueIds = null,
    IReadOnlyList<string>? SignerIds = null);

/// <summary>Body of <c>PUT /resources/{repository}/{type}/{tag}</c> (admin).</summary>
/// <param name="Value">The secret (base64 in JSON); at most 64 KiB.</param>
/// <param name="Policy">Who may read it.</param>
public sealed record ResourceWriteRequest(byte[] Value, ResourcePolicy Policy);

/// <summary>What the admin listing shows of a resource: never its value.</summary>
public sealed record ResourceInfo(string Path, long Version, ResourcePolicy Policy, DateTimeOffset UpdatedAt);

/// <summary>
/// Body of a successful <c>GET /resources/{repository}/{type}/{tag}</c>: the secret sealed to the runtime key bound in
/// the caller's attestation token (<see cref="ResourceEnvelope.Open"/> inside the enclave).
/// </summary>
public sealed record ResourceResponse(string Path, SealedResource Envelope);
