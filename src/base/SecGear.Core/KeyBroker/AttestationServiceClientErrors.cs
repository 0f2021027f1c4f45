namespace SecGear.AttestationService.Client;

/// <summary>
/// Codes of <see cref="AttestationServiceException.Code"/> for failures the client detects itself; every other code is
/// one of <see cref="ServiceErrorCodes"/>, taken from the service's problem response.
/// </summary>
public static class AttestationServiceClientErrors
{
    /// <summary>The service could not be reached: connection refused or reset, DNS failure, or the request timed out.</summary>
    public const string ServiceUnreachable = "ServiceUnreachable";

    /// <summary>The response body is larger than the client's <see cref="KeyBrokerClient.MaxResponseBytes"/>.</summary>
    public const string ResponseTooLarge = "ResponseTooLarge";

    /// <summary>The response is not what the contract promises: not JSON, a missing field, or an error without a problem body.</summary>
    public const string UnexpectedResponse = "UnexpectedResponse";
}
