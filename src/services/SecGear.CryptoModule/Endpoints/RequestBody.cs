using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using SecGear.CryptoModule.Hosting;

namespace SecGear.CryptoModule.Endpoints;

/// <summary>Reads a JSON body with the source-generated contract; anything unreadable is a typed 400.</summary>
internal static class RequestBody
{
    public static async Task<T> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type)
    {
        if (context.Request.ContentType is not { } contentType || !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw new CryptoProblemException(StatusCodes.Status415UnsupportedMediaType, CryptoModuleErrorCodes.MalformedRequest, "The body must be application/json.");
        }

        try
        {
            return await JsonSerializer.DeserializeAsync(context.Request.Body, type, context.RequestAborted).ConfigureAwait(false)
                ?? throw CryptoProblemException.Malformed("The body is JSON null.");
        }
        catch (JsonException ex)
        {
            // JsonException messages name the path and position, never the value.
            throw CryptoProblemException.Malformed($"The body does not match the contract: {ex.Message}");
        }
    }
}
