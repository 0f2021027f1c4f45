using System.Text.Json;

namespace SecGear.AttestationService.Hosting;

/// <summary>Writes RFC 9457 problems (<c>application/problem+json</c>) carrying the service's <c>code</c> extension.</summary>
internal static class ProblemResponses
{
    public const string ContentType = "application/problem+json";

    public static async Task WriteAsync(HttpContext context, int status, string code, string detail, int? retryAfterSeconds = null)
    {
        var response = context.Response;
        response.Clear();
        response.StatusCode = status;
        response.ContentType = ContentType;
        if (retryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", $"https://secgear.net/problems/{code}");
            writer.WriteString("title", code);
            writer.WriteNumber("status", status);
            writer.WriteString("detail", detail);
            writer.WriteString("instance", context.Request.Path.Value);
            writer.WriteString(ServiceErrorCodes.ProblemCodeMember, code);
            writer.WriteEndObject();
        }

        response.ContentLength = buffer.Length;
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The problem code for a status no handler described (a route or method the service does not have).</summary>
    public static string CodeForStatus(int status) => status switch
    {
        StatusCodes.Status404NotFound => ServiceErrorCodes.RouteUnknown,
        StatusCodes.Status405MethodNotAllowed => ServiceErrorCodes.MethodNotAllowed,
        StatusCodes.Status413PayloadTooLarge => ServiceErrorCodes.PayloadTooLarge,
        StatusCodes.Status415UnsupportedMediaType or StatusCodes.Status400BadRequest => ServiceErrorCodes.MalformedRequest,
        StatusCodes.Status429TooManyRequests => ServiceErrorCodes.RateLimited,
        StatusCodes.Status503ServiceUnavailable => ServiceErrorCodes.StorageUnavailable,
        _ => ServiceErrorCodes.InternalError,
    };
}
