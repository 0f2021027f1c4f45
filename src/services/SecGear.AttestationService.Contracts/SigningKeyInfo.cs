namespace SecGear.AttestationService;

/// <summary>One token-signing key as the admin route <c>GET /keys</c> reports it (never private material).</summary>
/// <param name="KeyId">The JWK <c>kid</c>.</param>
/// <param name="State"><c>active</c> (signs new tokens), <c>pending</c> (published, signs from <paramref name="ActivatesAt"/>) or <c>previous</c> (published until <paramref name="RetiresAt"/>).</param>
/// <param name="CreatedAt">When the key was created and published.</param>
/// <param name="ActivatesAt">From when instances sign with it.</param>
/// <param name="RetiresAt">When a previous key leaves the JWKS (every token it signed has expired by then).</param>
public sealed record SigningKeyInfo(string KeyId, string State, DateTimeOffset CreatedAt, DateTimeOffset ActivatesAt, DateTimeOffset? RetiresAt);
