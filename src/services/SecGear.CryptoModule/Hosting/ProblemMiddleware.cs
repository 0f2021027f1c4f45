using System.Text.Json;
using SecGear.CryptoModule.Storage;

namespace SecGear.CryptoModule.Hosting;

/// <summary>
/// Turns every failure into an RFC 9457 problem+json with a <see cref="CryptoModuleErrorCodes"/> code: refusals,
/// storage outages (503), Kestrel's body-size errors (413), unexpected exceptions (500, logged without request data)
/// and bodiless error statuses from routing, so no stack trace or HTML ever reaches a client.
/// </summary>
internal sealed partial class ProblemMiddleware(RequestDelegate next, ILogger<ProblemMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (CryptoProblemException ex) when (!context.Response.HasStarted)
        {
            await WriteAsync(context, ex.StatusCode, ex.Code, ex.Message).ConfigureAwait(false);
            return;
        }
        catch (StorageUnavailableException ex) when (!context.Response.HasStarted)
        {
            LogStorage(logger, context.Request.Path, ex.Message);
            await WriteAsync(context, 503, CryptoModuleErrorCodes.StorageUnavailable, "The key store is unavailable; nothing was changed. Retry later.").ConfigureAwait(false);
            return;
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            bool tooLarge = ex.StatusCode == StatusCodes.Status413PayloadTooLarge;
            await WriteAsync(context, ex.StatusCode, tooLarge ? CryptoModuleErrorCodes.PayloadTooLarge : CryptoModuleErrorCodes.MalformedRequest,
                tooLarge ? "The request body exceeds the module's limit." : $"The request is malformed: {ex.Message}").ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            LogUnexpected(logger, ex.GetType().Name, context.Request.Path);
            await WriteAsync(context, 500, CryptoModuleErrorCodes.InternalError, "The module failed unexpectedly; the failure is logged.").ConfigureAwait(false);
            return;
        }

        var response = context.Response;
        if (!response.HasStarted && response.StatusCode >= 400 && response.ContentLength is null && string.IsNullOrEmpty(response.ContentType))
        {
            await WriteAsync(context, response.StatusCode, response.StatusCode == 404 ? CryptoModuleErrorCodes.NotFound : CryptoModuleErrorCodes.MalformedRequest,
                $"{context.Request.Method} {context.Request.Path} is not a route of this module, or not with this method.").ConfigureAwait(false);
        }
    }

    /// <summary>Writes a problem+json.</summary>
    public static async Task WriteAsync(HttpContext context, int status, string code, string detail)
    {
        context.Response.Clear();
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/problem+json";
        var body = new ProblemBody("urn:secgear:crypto-module:" + code, code, status, detail, code);
        await JsonSerializer.SerializeAsync(context.Response.Body, body, CryptoModuleJson.Default.ProblemBody).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Storage unavailable while serving {Path}: {Reason}")]
    private static partial void LogStorage(ILogger logger, PathString path, string reason);

    // The exception itself is not logged: its message could quote request data.
    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Unexpected {ExceptionType} while serving {Path}")]
    private static partial void LogUnexpected(ILogger logger, string exceptionType, PathString path);
}
