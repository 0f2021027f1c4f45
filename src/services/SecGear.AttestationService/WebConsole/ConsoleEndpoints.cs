using Microsoft.Extensions.Options;
using SecGear.AttestationService.Hosting;
using SecGear.AttestationService.Security;

namespace SecGear.AttestationService.WebConsole;

/// <summary>
/// The web console at <c>/console</c>: a log-in page, one page that calls the admin API with the session cookie, and
/// their scripts and styles, all embedded in this assembly (no CDN, nothing fetched from elsewhere).
/// </summary>
internal static partial class ConsoleEndpoints
{
    public const string Root = "/console";

    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
    };

    public static void Map(IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(Root).ExcludeFromDescription();
        group.MapGet("", Index);
        group.MapGet("/login", (HttpContext context) => Asset(context, "login.html"));
        group.MapPost("/login", LogInAsync).DisableAntiforgery();
        group.MapPost("/logout", LogOut);
        group.MapGet("/session", SessionInfo);
        group.MapGet("/assets/{name}", (HttpContext context, string name) => Asset(context, name));
    }

    private static IResult Index(HttpContext context, ConsoleSessions sessions) =>
        sessions.Find(context) is null ? Results.Redirect(Root + "/login") : Asset(context, "index.html");

    private static async Task<IResult> LogInAsync(
        HttpContext context, ConsoleSessions sessions, AdminAuthenticator authenticator, ILoggerFactory loggers)
    {
        var request = context.Request;
        // A cross-site form cannot log the browser in (login CSRF): browsers name the requesting page's origin and site.
        // (The console's pages use Referrer-Policy same-origin: with no-referrer, Chromium would send "Origin: null".)
        bool crossOrigin = request.Headers.Origin is { Count: > 0 } origin
            && !string.Equals(origin.ToString(), $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
        bool crossSite = request.Headers["Sec-Fetch-Site"] is { Count: > 0 } site && site.ToString() is not ("same-origin" or "none");
        if (crossOrigin || crossSite)
        {
            throw new ServiceProblemException(StatusCodes.Status403Forbidden, ServiceErrorCodes.AdminAuthenticationRequired, "Log-in is accepted only from the console's own page.");
        }

        if (!request.HasFormContentType)
        {
            throw new ServiceProblemException(StatusCodes.Status415UnsupportedMediaType, ServiceErrorCodes.MalformedRequest, "Log-in takes a form (application/x-www-form-urlencoded).");
        }

        var form = await request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        if (!authenticator.IsAdministrator(form["apiKey"]))
        {
            LogRefused(loggers.CreateLogger(typeof(ConsoleEndpoints)), context.Connection.RemoteIpAddress?.ToString());
            return Results.Redirect(Root + "/login?failed=1");
        }

        sessions.Open(context);
        return Results.Redirect(Root);
    }

    private static IResult LogOut(HttpContext context, ConsoleSessions sessions)
    {
        if (!sessions.IsAdministrator(context))
        {
            throw NotLoggedIn();
        }

        sessions.Close(context);
        return Results.NoContent();
    }

    private static IResult SessionInfo(HttpContext context, ConsoleSessions sessions, IOptions<AttestationServiceOptions> options)
    {
        var session = sessions.Find(context) ?? throw NotLoggedIn();
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(new { csrfToken = session.CsrfToken, csrfHeader = ConsoleSessions.CsrfHeader, expiresAt = session.ExpiresAt(options.Value.Console) });
    }

    private static IResult Asset(HttpContext context, string name)
    {
        string extension = Path.GetExtension(name);
        if (!ContentTypes.TryGetValue(extension, out var contentType) || name.Contains('/', StringComparison.Ordinal) || name.Contains("..", StringComparison.Ordinal))
        {
            throw new ServiceProblemException(StatusCodes.Status404NotFound, ServiceErrorCodes.RouteUnknown, "The console has no such file.");
        }

        var stream = typeof(ConsoleEndpoints).Assembly.GetManifestResourceStream("console/" + name)
            ?? throw new ServiceProblemException(StatusCodes.Status404NotFound, ServiceErrorCodes.RouteUnknown, "The console has no such file.");
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        headers.CacheControl = "no-cache";
        return Results.Stream(stream, contentType);
    }

    private static ServiceProblemException NotLoggedIn() =>
        new(StatusCodes.Status401Unauthorized, ServiceErrorCodes.AdminAuthenticationRequired, "Log in to the console first.");

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning, Message = "Console log-in refused from {Client}: the API key is not an administrator key")]
    private static partial void LogRefused(ILogger logger, string? client);
}
