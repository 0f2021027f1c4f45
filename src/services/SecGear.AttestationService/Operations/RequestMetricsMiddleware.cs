using System.Diagnostics;

namespace SecGear.AttestationService.Operations;

/// <summary>Times every request and records it by route template (never the raw path: ids would explode the series).</summary>
internal sealed class RequestMetricsMiddleware(RequestDelegate next, ServiceMetrics metrics)
{
    public async Task InvokeAsync(HttpContext context)
    {
        long started = Stopwatch.GetTimestamp();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            string route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unmatched";
            metrics.RequestCompleted(route, context.Response.StatusCode, Stopwatch.GetElapsedTime(started));
        }
    }
}
