namespace SecGear.AttestationService;

/// <summary>
/// Request errors: every 4xx/5xx answer of the service is an RFC 9457 problem (<c>application/problem+json</c>) whose
/// extension member <see cref="ProblemCodeMember"/> holds one of these codes. (A judged-and-rejected evidence is not a
/// request error: it is an HTTP 200 <see cref="AttestationResponse"/> with status contraindicated.)
/// </summary>
public static class ServiceErrorCodes
{
    /// <summary>Name of the problem extension member carrying the code.</summary>
    public const string ProblemCodeMember = "code";

    /// <summary>400: the body is not valid JSON or misses/violates a field.</summary>
    public const string MalformedRequest = "MalformedRequest";

    /// <summary>413: the body exceeds the configured limit.</summary>
    public const string PayloadTooLarge = "PayloadTooLarge";

    /// <summary>429: too many requests from this client; see <c>Retry-After</c>.</summary>
    public const string RateLimited = "RateLimited";

    /// <summary>401: an admin endpoint was called without valid administrator credentials.</summary>
    public const string AdminAuthenticationRequired = "AdminAuthenticationRequired";

    /// <summary>404: the session id names no challenge (never issued, or already used).</summary>
    public const string ChallengeUnknown = "ChallengeUnknown";

    /// <summary>410: the challenge expired before the attestation arrived.</summary>
    public const string ChallengeExpired = "ChallengeExpired";

    /// <summary>409: the challenge was issued for another policy.</summary>
    public const string ChallengePolicyMismatch = "ChallengePolicyMismatch";

    /// <summary>404: no policy has this id.</summary>
    public const string PolicyUnknown = "PolicyUnknown";

    /// <summary>400: the policy or reference values do not validate (the message says which field).</summary>
    public const string PolicyInvalid = "PolicyInvalid";

    /// <summary>404: no reference-value set has this id.</summary>
    public const string ReferenceValuesUnknown = "ReferenceValuesUnknown";

    /// <summary>412: <c>If-Match</c>/<c>If-None-Match</c> did not hold (someone else wrote first).</summary>
    public const string VersionConflict = "VersionConflict";

    /// <summary>401: the attestation token is missing, malformed, forged or signed by an unknown key.</summary>
    public const string TokenInvalid = "TokenInvalid";

    /// <summary>401: the attestation token has expired.</summary>
    public const string TokenExpired = "TokenExpired";

    /// <summary>400: the token binds no runtime key, so there is nothing to seal the resource to.</summary>
    public const string RuntimeKeyMissing = "RuntimeKeyMissing";

    /// <summary>404: no resource has this path.</summary>
    public const string ResourceUnknown = "ResourceUnknown";

    /// <summary>403: the token's claims do not satisfy the resource's policy.</summary>
    public const string ResourcePolicyUnsatisfied = "ResourcePolicyUnsatisfied";

    /// <summary>503: the database is locked, missing or unreachable; nothing was written; retry later.</summary>
    public const string StorageUnavailable = "StorageUnavailable";

    /// <summary>404: no route of the service has this path.</summary>
    public const string RouteUnknown = "RouteUnknown";

    /// <summary>405: the route exists but not with this HTTP method.</summary>
    public const string MethodNotAllowed = "MethodNotAllowed";

    /// <summary>500: the service failed unexpectedly (logged on the server; the detail holds no internals).</summary>
    public const string InternalError = "InternalError";
}
