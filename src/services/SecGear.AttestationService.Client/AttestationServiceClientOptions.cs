namespace SecGear.AttestationService.Client;

/// <summary>Settings of an <see cref="AttestationServiceClient"/>.</summary>
public sealed class AttestationServiceClientOptions
{
    /// <summary>The default <see cref="MaxResponseBytes"/>: 4 MiB (a list of many policies, or claims with certificates).</summary>
    public const int DefaultMaxResponseBytes = KeyBrokerClient.DefaultMaxResponseBytes;

    /// <summary>
    /// Administrator API key sent as <see cref="AttestationServiceRoutes.ApiKeyHeader"/> on admin operations only
    /// (never on challenge, attestation or resource reads). Null: admin operations are sent without credentials and the
    /// service answers <see cref="ServiceErrorCodes.AdminAuthenticationRequired"/>.
    /// </summary>
    public string? ApiKey { get; init; }

    /// <summary>
    /// Administrator JWT (from an issuer the service trusts, with the <c>secgear.admin</c> scope) sent as
    /// <c>Authorization: Bearer</c> on admin operations only; an alternative to <see cref="ApiKey"/> (set one, not both).
    /// </summary>
    public string? AdminToken { get; init; }

    /// <summary>Largest response body read; a larger one fails with <see cref="AttestationServiceClientErrors.ResponseTooLarge"/>.</summary>
    public int MaxResponseBytes { get; init; } = DefaultMaxResponseBytes;
}
