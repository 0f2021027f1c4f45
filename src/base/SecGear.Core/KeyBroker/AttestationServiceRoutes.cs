namespace SecGear.AttestationService;

/// <summary>The HTTP routes of the attestation service (relative to its base address).</summary>
public static class AttestationServiceRoutes
{
    /// <summary><c>POST</c>: a fresh single-use nonce (<see cref="ChallengeRequest"/> → <see cref="ChallengeResponse"/>).</summary>
    public const string Challenge = "/challenge";

    /// <summary><c>POST</c>: verify evidence and issue a token (<see cref="AttestationRequest"/> → <see cref="AttestationResponse"/>).</summary>
    public const string Attestation = "/attestation";

    /// <summary><c>GET</c> list, <c>GET/PUT/DELETE</c> <c>/policies/{id}</c> (admin): <c>PolicyDocument</c>.</summary>
    public const string Policies = "/policies";

    /// <summary><c>GET</c> list, <c>GET/PUT/DELETE</c> <c>/reference-values/{id}</c> (admin): <c>ReferenceValueSet</c>.</summary>
    public const string ReferenceValues = "/reference-values";

    /// <summary>
    /// <c>PUT/DELETE</c> <c>/resources/{repository}/{type}/{tag}</c> (admin, <c>ResourceWriteRequest</c>);
    /// <c>GET</c> with an attestation token as bearer → <see cref="ResourceResponse"/>.
    /// </summary>
    public const string Resources = "/resources";

    /// <summary>
    /// <c>GET</c> <c>/sealing-keys/{policy}/{securityVersion}</c> with an attestation token as bearer →
    /// <see cref="ResourceResponse"/>: a sealing root derived by the service from its master key and the identity the
    /// token attests (<see cref="SealingKeyPolicies"/>), sealed to the token's runtime key. "Sealing by attestation" for
    /// TEEs without a hardware sealing key (TDX, CCA).
    /// </summary>
    public const string SealingKeys = "/sealing-keys";

    /// <summary><c>GET</c>: the JSON Web Key Set with the public keys that sign attestation tokens.</summary>
    public const string Jwks = "/.well-known/jwks.json";

    /// <summary><c>GET</c>: service metadata (issuer, JWKS URI, supported evidence formats).</summary>
    public const string Configuration = "/.well-known/secgear-attestation-service";

    /// <summary><c>GET</c> (admin): audited decisions, newest first, filtered by query (<c>AuditEvent</c>); <c>/audit/{id}</c> one row.</summary>
    public const string Audit = "/audit";

    /// <summary><c>GET</c> (admin): the token-signing keys and their states (<c>SigningKeyStatus</c>).</summary>
    public const string Keys = "/keys";

    /// <summary><c>POST</c> (admin): rotate the token-signing key now (<c>SigningKeyStatus</c>).</summary>
    public const string KeyRotation = "/keys/rotate";

    /// <summary>Header carrying an administrator API key (alternative: an admin JWT as <c>Authorization: Bearer</c>).</summary>
    public const string ApiKeyHeader = "X-SecGear-Api-Key";

    /// <summary>Builds the path of a sealing root for <paramref name="policy"/> (<see cref="SealingKeyPolicies"/>) at <paramref name="securityVersion"/>.</summary>
    /// <exception cref="ArgumentException">An unknown policy name.</exception>
    public static string SealingKey(string policy, ushort securityVersion) =>
        $"{SealingKeys}/{SealingKeyPolicies.Validate(policy)}/{securityVersion}";

    /// <summary>Builds the path of one resource after validating its three segments.</summary>
    public static string Resource(string repository, string type, string tag) =>
        $"{Resources}/{ResourcePath.Validate(repository, type, tag)}";
}
