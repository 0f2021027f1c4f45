using System.Net;

namespace SecGear.AttestationService.Client;

/// <summary>
/// A request to the attestation service failed: the service answered with a problem (<see cref="StatusCode"/> and a
/// <see cref="ServiceErrorCodes"/> <see cref="Code"/>), answered something the contract does not allow, or could not be
/// reached (<see cref="AttestationServiceClientErrors"/>). A contraindicated attestation verdict is not an error and
/// never raises this. The message never contains the API key, a token or a secret the client sent.
/// </summary>
public sealed class AttestationServiceException : SecGearException
{
    /// <summary>Creates an exception from its parts; <see cref="Exception.Message"/> is composed from them.</summary>
    public AttestationServiceException(HttpStatusCode? statusCode, string code, string title, string? detail = null, TimeSpan? retryAfter = null, Exception? innerException = null)
        : base(EnclaveStatus.ServiceRequestFailed, Compose(statusCode, code, title, detail), innerException)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        StatusCode = statusCode;
        Code = code;
        Title = title;
        Detail = detail;
        RetryAfter = retryAfter;
    }

    /// <summary>The HTTP status of the answer; null when no answer arrived.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>A <see cref="ServiceErrorCodes"/> value, or an <see cref="AttestationServiceClientErrors"/> value.</summary>
    public string Code { get; }

    /// <summary>The problem's short summary.</summary>
    public string Title { get; }

    /// <summary>The problem's explanation (e.g. which field of a policy is invalid), with any credential sent removed.</summary>
    public string? Detail { get; }

    /// <summary>For <see cref="ServiceErrorCodes.RateLimited"/>: when to retry, if the service said.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>True when the service was not reached at all (connection failure or timeout).</summary>
    public bool IsUnreachable => Code == AttestationServiceClientErrors.ServiceUnreachable;

    private static string Compose(HttpStatusCode? statusCode, string code, string title, string? detail)
    {
        string status = statusCode is { } value ? $"HTTP {(int)value}" : string.Empty;
        // A service whose title is the code itself gets it printed once.
        string head = title == code
            ? (status.Length == 0 ? code : $"{code} ({status})")
            : (status.Length == 0 ? $"{title} ({code})" : $"{title} ({status}, {code})");
        return string.IsNullOrEmpty(detail) ? head : $"{head}: {detail}";
    }
}
