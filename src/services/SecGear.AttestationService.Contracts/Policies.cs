using System.Text.Json;

namespace SecGear.AttestationService;

/// <summary>
/// A stored appraisal policy. <paramref name="Policy"/> uses the <c>AttestationPolicy</c> JSON schema of
/// docs/attestation.md; the allowed ids of every named <paramref name="ReferenceValues"/> set are added to it at
/// appraisal time. Writes use <c>PUT /policies/{id}</c> with <see cref="PolicyWriteRequest"/>;
/// <c>If-Match: "version"</c> makes the write conditional (412 on mismatch), <c>If-None-Match: *</c> creates only.
/// </summary>
public sealed record PolicyDocument(
    string Id,
    long Version,
    JsonElement Policy,
    IReadOnlyList<string> ReferenceValues,
    DateTimeOffset UpdatedAt);

/// <summary>Body of <c>PUT /policies/{id}</c>; validated (the policy must parse) before it is stored.</summary>
public sealed record PolicyWriteRequest(JsonElement Policy, IReadOnlyList<string>? ReferenceValues = null);

/// <summary>
/// A named set of reference values (the measurements a deployment trusts), hex-encoded ids.
/// Written with <c>PUT /reference-values/{id}</c> (<see cref="ReferenceValueWriteRequest"/>), versioned like policies.
/// </summary>
public sealed record ReferenceValueSet(
    string Id,
    long Version,
    IReadOnlyList<string> UniqueIds,
    IReadOnlyList<string> SignerIds,
    IReadOnlyList<int> ProductIds,
    int? MinimumSecurityVersion,
    DateTimeOffset UpdatedAt);

/// <summary>Body of <c>PUT /reference-values/{id}</c>.</summary>
public sealed record ReferenceValueWriteRequest(
    IReadOnlyList<string>? UniqueIds = null,
    IReadOnlyList<string>? SignerIds = null,
    IReadOnlyList<int>? ProductIds = null,
    int? MinimumSecurityVersion = null);
