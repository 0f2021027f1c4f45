namespace SecGear.AttestationService.Hosting;

/// <summary>
/// The section <c>AttestationService:Operations</c>: token-signing key rotation, retention of audit rows and
/// challenges, and how often each instance runs its maintenance (which also refreshes its view of the keys).
/// Instances sharing a database should share these settings.
/// </summary>
public sealed class OperationsOptions
{
    /// <summary>A new token-signing key is created when the newest one is this old (default 30 days); zero disables scheduled rotation.</summary>
    public TimeSpan KeyRotationInterval { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// A new key is published in the JWKS this long before instances sign with it (default 5 minutes), so every instance
    /// and every relying party that refreshes its JWKS at least that often knows it before its first token.
    /// </summary>
    public TimeSpan KeyPublishAhead { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Extra time a superseded key stays published after the last token it can have signed expired (default 1 minute):
    /// covers clock differences between instances and the 30 s <c>nbf</c> tolerance.
    /// </summary>
    public TimeSpan KeyRetirementMargin { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often each instance reloads keys, rotates when due, prunes and counts challenges (default 1 minute).</summary>
    public TimeSpan MaintenanceInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Audit rows older than this are deleted (default 90 days); zero keeps them for ever.</summary>
    public TimeSpan AuditRetention { get; set; } = TimeSpan.FromDays(90);

    /// <summary>
    /// Challenges are deleted this long after they expired (default 10 minutes; until then a late attestation hears
    /// "expired" rather than "unknown").
    /// </summary>
    public TimeSpan ChallengeRetention { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Rows deleted per statement when pruning (default 500): bounds how long one prune holds the write lock.</summary>
    public int PruneBatchSize { get; set; } = 500;
}
