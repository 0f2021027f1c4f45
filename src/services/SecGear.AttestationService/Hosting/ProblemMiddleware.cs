using SecGear.AttestationService.Storage;

namespace SecGear.AttestationService.Hosting;

/// <summary>
/// Turns every failure into a problem+json: <see cref="ServiceProblemException"/>, storage outages (503 + Retry-After),
/// Kestrel's body-size and bad-request errors, unexpected exceptions (500, logged), and bodiless error statuses left by
/// routing (404, 405), so no default HTML or empty error ever reaches a client. Kestrel's own refusals, made before
/// any middleware runs, get theirs from <see cref="KestrelRefusalWriter"/>.
/// </summary>
internal sealed partial class ProblemMiddleware(RequestDelegate next, ILogger<ProblemMiddleware> logger)
{
    /// <summary>Seconds a client should wait after a storage outage.</summary>
    private const int StorageRetryAfterSeconds = 2;

    public async Task InvokeAsync(HttpContext context)
    {
        KestrelRefusalWriter.Track(context);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (ServiceProblemException ex) when (!context.Response.HasStarted)
        {
            await ProblemResponses.WriteAsync(context, ex.StatusCode, ex.Code, ex.Message, ex.RetryAfterSeconds).ConfigureAwait(false);
            return;
        }
        catch (StorageUnavailableException ex) when (!context.Response.HasStarted)
        {
            LogStorageUnavailable(logger, context.Request.Path, ex.Message);
            await ProblemResponses.WriteAsync(
                context, StatusCodes.Status503ServiceUnavailable, ServiceErrorCodes.StorageUnavailable,
                "The service's database is unavailable (locked, missing or unreachable); nothing was written. Retry later.",
                StorageRetryAfterSeconds).ConfigureAwait(false);
            return;
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            bool tooLarge = ex.StatusCode == StatusCodes.Status413PayloadTooLarge;
            await ProblemResponses.WriteAsync(
                context,
                ex.StatusCode,
                tooLarge ? ServiceErrorCodes.PayloadTooLarge : ServiceErrorCodes.MalformedRequest,
                tooLarge ? "The request body exceeds the service's limit." : $"The request is malformed: {ex.Message}").ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is nobody to answer.
            return;
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            LogUnexpected(logger, ex, context.Request.Path);
            await ProblemResponses.WriteAsync(
                context, StatusCodes.Status500InternalServerError, ServiceErrorCodes.InternalError,
                "The service failed unexpectedly; the failure is logged.").ConfigureAwait(false);
            return;
        }

        var response = context.Response;
        if (!response.HasStarted && response.StatusCode >= 400 && response.ContentLength is null && string.IsNullOrEmpty(response.ContentType))
        {
            await ProblemResponses.WriteAsync(
                context, response.StatusCode, ProblemResponses.CodeForStatus(response.StatusCode),
                response.StatusCode is StatusCodes.Status404NotFound or StatusCodes.Status405MethodNotAllowed
                    ? $"{context.Request.Method} {context.Request.Path} is not a route of this service, or not with this method."
                    : $"The request failed with HTTP {response.StatusCode}.").ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Storage unavailable while serving {Path}: {Reason}")]
    private static partial void LogStorageUnavailable(ILogger logger, PathString path, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Unexpected failure while serving {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, PathString path);
}
