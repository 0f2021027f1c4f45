using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using SecGear.AttestationService.Hosting;

namespace SecGear.AttestationService.WebConsole;

/// <summary>
/// Server-side sessions of the web console. Log-in exchanges an administrator API key (posted in the body, never in a
/// URL) for a random 256-bit session id in an HttpOnly, SameSite=Strict cookie; only its SHA-256 is held here. Every
/// state-changing request made with the cookie must also carry the session's anti-forgery token in
/// <see cref="CsrfHeader"/> (a synchronizer token the page reads from <c>GET /console/session</c>), so another site
/// can neither read the console nor make the browser change anything. Sessions live in this instance's memory: behind
/// a load balancer the console needs sticky sessions, and a restart logs everybody out.
/// </summary>
public sealed class ConsoleSessions
{
    /// <summary>The session cookie.</summary>
    public const string CookieName = "secgear-console";

    /// <summary>The header carrying the anti-forgery token on unsafe methods.</summary>
    public const string CsrfHeader = "X-SecGear-Csrf";

    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly ConsoleOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates the (empty) session table.</summary>
    public ConsoleSessions(IOptions<AttestationServiceOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value.Console;
        _time = time;
    }

    /// <summary>How many sessions are open.</summary>
    public int Count => _sessions.Count;

    /// <summary>Opens a session and sets its cookie on <paramref name="context"/>'s response.</summary>
    public void Open(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var now = _time.GetUtcNow();
        Prune(now);
        string id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        string csrf = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        _sessions[Hash(id)] = new Session(csrf, now) { LastSeen = now };
        context.Response.Cookies.Append(CookieName, id, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            Path = "/",
            IsEssential = true,
        });
    }

    /// <summary>Ends the request's session (if any) and clears its cookie.</summary>
    public void Close(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.Cookies.TryGetValue(CookieName, out var id) && !string.IsNullOrEmpty(id))
        {
            _sessions.TryRemove(Hash(id), out _);
        }

        context.Response.Cookies.Delete(CookieName, new CookieOptions { Path = "/", SameSite = SameSiteMode.Strict, Secure = context.Request.IsHttps });
    }

    /// <summary>The request's live session (refreshing its idle timer), or null.</summary>
    public Session? Find(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Request.Cookies.TryGetValue(CookieName, out var id) || string.IsNullOrEmpty(id) || id.Length > 128)
        {
            return null;
        }

        string key = Hash(id);
        if (!_sessions.TryGetValue(key, out var session))
        {
            return null;
        }

        var now = _time.GetUtcNow();
        if (!session.IsLive(now, _options))
        {
            _sessions.TryRemove(key, out _);
            return null;
        }

        session.LastSeen = now;
        return session;
    }

    /// <summary>
    /// True when the request carries a live console session and, unless its method is safe (GET, HEAD), the session's
    /// anti-forgery token in <see cref="CsrfHeader"/>.
    /// </summary>
    public bool IsAdministrator(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var session = Find(context);
        if (session is null)
        {
            return false;
        }

        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
        {
            return true;
        }

        string? presented = context.Request.Headers[CsrfHeader];
        return presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(session.CsrfToken));
    }

    private void Prune(DateTimeOffset now)
    {
        foreach (var (key, session) in _sessions)
        {
            if (!session.IsLive(now, _options))
            {
                _sessions.TryRemove(key, out _);
            }
        }

        // Beyond the cap the oldest log-ins go first: a flood of log-ins cannot grow memory without bound.
        int excess = _sessions.Count - Math.Max(1, _options.MaxSessions) + 1;
        foreach (var (key, _) in _sessions.OrderBy(pair => pair.Value.Created).Take(Math.Max(0, excess)))
        {
            _sessions.TryRemove(key, out _);
        }
    }

    private static string Hash(string id) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(id)));

    /// <summary>One console session.</summary>
    /// <param name="CsrfToken">The anti-forgery token of the session.</param>
    /// <param name="Created">When the administrator logged in.</param>
    public sealed record Session(string CsrfToken, DateTimeOffset Created)
    {
        /// <summary>The last request made with the session.</summary>
        public DateTimeOffset LastSeen { get; set; }

        /// <summary>When the session ends if unused.</summary>
        public DateTimeOffset ExpiresAt(ConsoleOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            var idle = LastSeen + options.SessionIdleTimeout;
            var absolute = Created + options.SessionLifetime;
            return idle < absolute ? idle : absolute;
        }

        internal bool IsLive(DateTimeOffset now, ConsoleOptions options) => now < ExpiresAt(options);
    }
}
