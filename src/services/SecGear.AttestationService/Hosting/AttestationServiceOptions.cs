namespace SecGear.AttestationService.Hosting;

/// <summary>The configuration section <c>AttestationService</c> (appsettings.json, environment <c>AttestationService__…</c>, command line).</summary>
public sealed class AttestationServiceOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "AttestationService";

    /// <summary>Where the SQLite database, the master key file and the generated admin key file live (default <c>~/.secgear/attestation-service</c>).</summary>
    public string? DataDirectory { get; set; }

    /// <summary><c>sqlite</c> (default, a file in the data directory) or <c>postgres</c> (with <see cref="ConnectionString"/>).</summary>
    public string StorageProvider { get; set; } = "sqlite";

    /// <summary>The Npgsql connection string when <see cref="StorageProvider"/> is <c>postgres</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>How long a SQLite statement waits for another writer's lock before the service answers 503 (default 5 s).</summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The service master key (32 bytes, base64) that encrypts the token-signing keys and resource values in the database.
    /// When unset, the key file <c>master.key</c> in the data directory is used (created with mode 0600 on first start).
    /// Several instances on one PostgreSQL database must share it.
    /// </summary>
    public string? MasterKey { get; set; }

    /// <summary>A file holding the master key (32 raw bytes or base64 text); overrides the data-directory default.</summary>
    public string? MasterKeyFile { get; set; }

    /// <summary>Lifetime of a challenge (default 2 minutes).</summary>
    public TimeSpan ChallengeLifetime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Lifetime of an attestation token (default 5 minutes).</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The token issuer (<c>iss</c>).</summary>
    public string Issuer { get; set; } = "urn:secgear:attestation-service";

    /// <summary>SHA-256 hashes (hex) of the administrator API keys accepted in <see cref="AttestationServiceRoutes.ApiKeyHeader"/>.</summary>
    public IList<string> AdminApiKeyHashes { get; } = [];

    /// <summary>
    /// A file holding one administrator API key (its hash is kept, the key itself is not). When neither this nor
    /// <see cref="AdminApiKeyHashes"/> is set, <c>admin.key</c> in the data directory is used, generated (0600) on first start.
    /// </summary>
    public string? AdminApiKeyFile { get; set; }

    /// <summary>Optional administrator JWTs (<c>Authorization: Bearer</c>) from a trusted issuer, in addition to API keys.</summary>
    public Security.AdminJwtOptions AdminJwt { get; } = new();

    /// <summary>Largest request body accepted (default 1 MiB).</summary>
    public long MaxRequestBodyBytes { get; set; } = 1 << 20;

    /// <summary>Requests per second per client address (token bucket refill); 0 disables rate limiting.</summary>
    public int RateLimitPerSecond { get; set; } = 1000;

    /// <summary>Burst size of the per-client token bucket.</summary>
    public int RateLimitBurst { get; set; } = 2000;

    /// <summary>PEM (or DER) files of simulated attestation CAs whose evidence is accepted (and only under policies that allow simulation).</summary>
    public IList<string> SimulationTrustAnchors { get; } = [];

    /// <summary>Key rotation, retention and maintenance (section <c>Operations</c>).</summary>
    public OperationsOptions Operations { get; } = new();

    /// <summary>The administrator web console (section <c>Console</c>).</summary>
    public ConsoleOptions Console { get; } = new();

    /// <summary>
    /// PEM (or DER) files of further roots accepted at the end of NVIDIA GPU device chains, besides the pinned NVIDIA
    /// Device Identity CA (e.g. a test device CA). RIMs stay pinned to NVIDIA's RIM root.
    /// </summary>
    public IList<string> DeviceTrustAnchors { get; } = [];

    /// <summary>The resolved data directory.</summary>
    public string ResolvedDataDirectory => Path.GetFullPath(
        DataDirectory ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".secgear", "attestation-service"));
}
