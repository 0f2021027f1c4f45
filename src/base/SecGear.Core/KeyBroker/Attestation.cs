using System.Text.Json;

namespace SecGear.AttestationService;

/// <summary>Body of <c>POST /attestation</c>.</summary>
/// <param name="SessionId">From <see cref="ChallengeResponse.SessionId"/>; consumed by this request whatever the verdict.</param>
/// <param name="PolicyId">The policy to appraise the evidence against.</param>
/// <param name="Evidence">The evidence bytes, any format <c>SecGear.Attestation</c> detects (base64 in JSON).</param>
/// <param name="Collateral">Endorsements in the forms <c>secgear verify --collateral</c> accepts; several pieces allowed.</param>
/// <param name="RuntimeData">
/// Data the enclave bound next to the nonce, normally the SubjectPublicKeyInfo (DER) of a P-256 key the enclave holds;
/// resources are then sealed to that key. The evidence's report data must equal
/// <see cref="ReportDataBinding.Compute"/>(nonce, runtime data).
/// </param>
/// <param name="Devices">
/// Composite attestation: evidence of the devices (NVIDIA GPUs) attached to the CPU TEE whose evidence is
/// <paramref name="Evidence"/>, each bound with <see cref="DeviceNonceBinding"/>. The same policy appraises all of
/// them; a token is issued only when the CPU TEE and every device are affirmed, and it lists every device.
/// </param>
public sealed record AttestationRequest(
    string SessionId,
    string PolicyId,
    byte[] Evidence,
    IReadOnlyList<byte[]>? Collateral = null,
    byte[]? RuntimeData = null,
    IReadOnlyList<DeviceEvidence>? Devices = null);

/// <summary>The verdict of <c>POST /attestation</c> (HTTP 200 for both verdicts; malformed requests get a problem response).</summary>
/// <param name="Status"><see cref="AttestationStatus.Affirming"/> or <see cref="AttestationStatus.Contraindicated"/>.</param>
/// <param name="Token">The signed attestation result (JWT, EAR shape); only when affirming.</param>
/// <param name="ExpiresAt">Expiry of <paramref name="Token"/>.</param>
/// <param name="PolicyId">The policy applied.</param>
/// <param name="PolicyVersion">The version of that policy applied.</param>
/// <param name="Claims">The normalised claims (the <c>secgear verify --json</c> claim object), when the evidence parsed.</param>
/// <param name="Failure">Why the verdict is contraindicated.</param>
/// <param name="Devices">Composite attestation: the verdict on each device, in request order (null otherwise).</param>
public sealed record AttestationResponse(
    string Status,
    string? Token,
    DateTimeOffset? ExpiresAt,
    string PolicyId,
    long PolicyVersion,
    JsonElement? Claims,
    AttestationFailureInfo? Failure,
    IReadOnlyList<DeviceVerdict>? Devices = null);

/// <summary>A failed check: <paramref name="Code"/> is the <c>AttestationFailureCode</c> name (e.g. <c>QeReportSignatureInvalid</c>).</summary>
public sealed record AttestationFailureInfo(string Code, string Message);

/// <summary>Values of <see cref="AttestationResponse.Status"/> and of the token's <c>ear.status</c> (EAR vocabulary).</summary>
public static class AttestationStatus
{
    /// <summary>The evidence verified and satisfied the policy.</summary>
    public const string Affirming = "affirming";

    /// <summary>The evidence failed verification or the policy.</summary>
    public const string Contraindicated = "contraindicated";
}
