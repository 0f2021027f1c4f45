using System.Text.Json;
using Microsoft.Extensions.Options;

namespace SecGear.AttestationService.Hosting;

/// <summary>
/// Reads JSON request bodies with the service's limits: the size limit is enforced while reading (whatever the
/// server), a body needs a JSON Content-Type (415 without one), must be valid UTF-8 and may not repeat a key, fields
/// the contract marks non-nullable must be present, unknown fields are refused, and every failure is a
/// <see cref="ServiceProblemException"/> (400 MalformedRequest or 413 PayloadTooLarge) naming what was wrong.
/// </summary>
internal static class RequestBody
{
    private static readonly JsonSerializerOptions StrictOptions = new(AttestationServiceJson.Options)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
    };

    /// <summary>Reads the body as <typeparamref name="T"/>; an empty body gives <paramref name="whenEmpty"/> or a 400.</summary>
    public static async Task<T> ReadAsync<T>(HttpContext context, T? whenEmpty = null)
        where T : class
    {
        long limit = context.RequestServices.GetRequiredService<IOptions<AttestationServiceOptions>>().Value.MaxRequestBodyBytes;
        var request = context.Request;
        if (request.ContentLength > limit)
        {
            throw TooLarge(limit);
        }

        if (request.ContentLength is not 0 && request.ContentType is { } type && !IsJson(type))
        {
            throw new ServiceProblemException(
                StatusCodes.Status415UnsupportedMediaType, ServiceErrorCodes.MalformedRequest, $"The body must be application/json; got '{type}'.");
        }

        var body = await ReadBoundedAsync(request.Body, limit, context.RequestAborted).ConfigureAwait(false);
        if (body.Length == 0)
        {
            return whenEmpty ?? throw ServiceProblemException.Malformed("The request body is empty; a JSON object is required.");
        }

        if (string.IsNullOrEmpty(request.ContentType))
        {
            // Strict JSON (docs/attestation-service.md): a body is read only when it says what it is.
            throw new ServiceProblemException(
                StatusCodes.Status415UnsupportedMediaType, ServiceErrorCodes.MalformedRequest, "The request has a body but no Content-Type; send it as application/json.");
        }

        if (!System.Text.Unicode.Utf8.IsValid(body.Span))
        {
            // JsonElement values keep raw bytes; invalid UTF-8 would fail later, when stored or re-serialised.
            throw ServiceProblemException.Malformed("The request body is not valid UTF-8.");
        }

        try
        {
            return JsonSerializer.Deserialize<T>(body.Span, StrictOptions)
                ?? throw ServiceProblemException.Malformed("The request body is JSON null; a JSON object is required.");
        }
        catch (JsonException ex)
        {
            throw new ServiceProblemException($"The request body is not valid JSON for this route: {ex.Message}", ex);
        }
    }

    private static bool IsJson(string contentType)
    {
        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<ReadOnlyMemory<byte>> ReadBoundedAsync(Stream body, long limit, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw TooLarge(limit);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private static ServiceProblemException TooLarge(long limit) => new(
        StatusCodes.Status413PayloadTooLarge, ServiceErrorCodes.PayloadTooLarge, $"The request body exceeds the limit of {limit} bytes.");
}
