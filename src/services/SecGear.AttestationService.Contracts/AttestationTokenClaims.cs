namespace SecGear.AttestationService;

/// <summary>
/// Claim names of the attestation result token: a JWT (ES256) in the shape of an EAT Attestation Result
/// (draft-ietf-rats-ear). Top level: <c>iss</c>, <c>iat</c>, <c>nbf</c>, <c>exp</c>, <c>jti</c>, <see cref="Profile"/>,
/// <see cref="VerifierId"/>, <see cref="Nonce"/>, <see cref="Submods"/>; the single submodule <see cref="SubmodName"/>
/// carries <see cref="Status"/>, <see cref="PolicyId"/>, <see cref="PolicyVersion"/>, <see cref="Claims"/> and
/// <see cref="RuntimeKey"/>. Relying parties verify tokens offline with the keys at <see cref="AttestationServiceRoutes.Jwks"/>.
/// </summary>
public static class AttestationTokenClaims
{
    /// <summary><c>eat_profile</c>: always <see cref="ProfileValue"/>.</summary>
    public const string Profile = "eat_profile";

    /// <summary>The EAR profile this token follows.</summary>
    public const string ProfileValue = "tag:github.com,2023:veraison/ear";

    /// <summary><c>ear.verifier-id</c>: <c>{ "developer": "SecGear.NET", "build": version }</c>.</summary>
    public const string VerifierId = "ear.verifier-id";

    /// <summary><c>eat_nonce</c>: the challenge nonce (base64url).</summary>
    public const string Nonce = "eat_nonce";

    /// <summary><c>submods</c>: appraisal results by submodule name.</summary>
    public const string Submods = "submods";

    /// <summary>The one submodule name used: the attested enclave or TD.</summary>
    public const string SubmodName = "enclave";

    /// <summary>
    /// Composite attestation: the submodule of attached device <c>i</c> (request order) is named this prefix followed by
    /// <c>i</c> (<c>gpu-0</c>, <c>gpu-1</c>, …); each carries <see cref="Status"/> and <see cref="Claims"/>.
    /// </summary>
    public const string DeviceSubmodPrefix = "gpu-";

    /// <summary><c>secgear.device-count</c> (in the enclave submodule of a composite token): how many devices were attested with it.</summary>
    public const string DeviceCount = "secgear.device-count";

    /// <summary><c>ear.status</c>: <see cref="AttestationStatus.Affirming"/> in every issued token.</summary>
    public const string Status = "ear.status";

    /// <summary><c>ear.appraisal-policy-id</c>: the policy id applied.</summary>
    public const string PolicyId = "ear.appraisal-policy-id";

    /// <summary><c>secgear.policy-version</c>: the version of that policy.</summary>
    public const string PolicyVersion = "secgear.policy-version";

    /// <summary><c>secgear.claims</c>: the normalised claims object (as <c>secgear verify --json</c> prints it).</summary>
    public const string Claims = "secgear.claims";

    /// <summary><c>secgear.runtime-key</c>: the bound runtime data (base64url), the key resources are sealed to.</summary>
    public const string RuntimeKey = "secgear.runtime-key";

    /// <summary>
    /// Present with the value <see cref="HostRequestedOrigin"/> when the evidence's report data was requested by the
    /// enclave's host (<c>Enclave.GetEvidence</c>, <c>secgear attest</c>), not bound by enclave code: the token then proves
    /// the enclave's identity and freshness only, and carries no <see cref="RuntimeKey"/>.
    /// </summary>
    public const string ReportDataOrigin = "secgear.report-data-origin";

    /// <summary>The <see cref="ReportDataOrigin"/> value of host-requested evidence.</summary>
    public const string HostRequestedOrigin = "host";
}
