namespace SecGear.AttestationService;

/// <summary>
/// Who may read a resource: a token issued under one of <paramref name="PolicyIds"/> (required, non-empty) whose
/// claims carry one of <paramref name="UniqueIds"/> and one of <paramref name="SignerIds"/> (hex; empty = any).
/// </summary>
/// <param name="PolicyIds">Policies the token must have been issued under.</param>
/// <param name="UniqueIds">Accepted unique ids of the CPU TEE (hex; empty = any).</param>
/// <param name="SignerIds">Accepted signer ids of the CPU TEE (hex; empty = any).</param>
/// <param name="MinimumDevices">
/// When set, the token must come from a composite attestation of the CPU TEE with at least this many devices (GPUs),
/// the CPU TEE and every device affirmed ("CPU TEE and every GPU affirmed"). Null or 0 = no device required.
/// </param>
public sealed record ResourcePolicy(
    IReadOnlyList<string> PolicyIds,
    IReadOnlyList<string>? UniqueIds = null,
    IReadOnlyList<string>? SignerIds = null,
    int? MinimumDevices = null);

/// <summary>Body of <c>PUT /resources/{repository}/{type}/{tag}</c> (admin).</summary>
/// <param name="Value">The secret (base64 in JSON); at most 64 KiB.</param>
/// <param name="Policy">Who may read it.</param>
public sealed record ResourceWriteRequest(byte[] Value, ResourcePolicy Policy);

/// <summary>What the admin listing shows of a resource: never its value.</summary>
public sealed record ResourceInfo(string Path, long Version, ResourcePolicy Policy, DateTimeOffset UpdatedAt);
