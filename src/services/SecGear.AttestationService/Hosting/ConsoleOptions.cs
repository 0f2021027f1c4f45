namespace SecGear.AttestationService.Hosting;

/// <summary>The section <c>AttestationService:Console</c>: the administrator web console at <c>/console</c>.</summary>
public sealed class ConsoleOptions
{
    /// <summary>Whether the console is served (default true).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A console session ends after this long without a request (default 30 minutes).</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A console session ends this long after log-in whatever its use (default 8 hours).</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>Most sessions held at once (default 1000); the oldest is dropped beyond it.</summary>
    public int MaxSessions { get; set; } = 1000;
}
