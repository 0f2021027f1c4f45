using SecGear.AttestationService.Security;
using SecGear.AttestationService.Storage;
using SecGear.AttestationService.WebConsole;

namespace SecGear.AttestationService.Hosting;

/// <summary>
/// The filter in front of every admin route: an administrator API key, JWT or web-console session is required, and both a refused caller
/// and every admin write (PUT, POST, DELETE; also when refused) are audited. Records name the method, route, target id,
/// new version and outcome; never a key, token or document body.
/// </summary>
internal static class AdminGate
{
    public static async ValueTask<object?> FilterAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var services = http.RequestServices;
        var audit = services.GetRequiredService<AuditLog>();
        var time = services.GetRequiredService<TimeProvider>();
        bool administrator = services.GetRequiredService<AdminAuthenticator>().IsAdministrator(http.Request.Headers[AttestationServiceRoutes.ApiKeyHeader])
            || await services.GetRequiredService<AdminTokenValidator>().IsAdministratorAsync(http.Request.Headers.Authorization).ConfigureAwait(false)
            || services.GetRequiredService<ConsoleSessions>().IsAdministrator(http);
        if (!administrator)
        {
            await audit.RecordAsync(Record(http, time, "refused", ServiceErrorCodes.AdminAuthenticationRequired)).ConfigureAwait(false);
            throw new ServiceProblemException(
                StatusCodes.Status401Unauthorized, ServiceErrorCodes.AdminAuthenticationRequired,
                $"This route needs an administrator API key in the {AttestationServiceRoutes.ApiKeyHeader} header, or an administrator JWT as bearer.");
        }

        if (HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method))
        {
            return await next(context).ConfigureAwait(false);
        }

        object? result;
        try
        {
            result = await next(context).ConfigureAwait(false);
        }
        catch (ServiceProblemException ex)
        {
            await audit.RecordAsync(Record(http, time, "refused", ex.Code)).ConfigureAwait(false);
            throw;
        }

        await audit.RecordAsync(Record(http, time, HttpMethods.IsDelete(http.Request.Method) ? "deleted" : "written", null)).ConfigureAwait(false);
        return result;
    }

    private static AuditRecord Record(HttpContext http, TimeProvider time, string verdict, string? failureCode)
    {
        string? id = http.Request.RouteValues.TryGetValue("id", out var value) ? value?.ToString() : null;
        id ??= http.Request.RouteValues.TryGetValue("path", out var path) ? path?.ToString() : null;
        long? version = long.TryParse(http.Response.Headers.ETag.ToString().Trim('"', 'W', '/'), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long v) ? v : null;
        return new AuditRecord(
            time.GetUtcNow(), $"{http.Request.Method} {http.Request.Path}", http.Connection.RemoteIpAddress?.ToString(), id, version, verdict, failureCode, null);
    }
}
