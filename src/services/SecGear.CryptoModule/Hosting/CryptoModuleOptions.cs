using SecGear.Host;

namespace SecGear.CryptoModule.Hosting;

/// <summary>The configuration section <c>CryptoModule</c> (appsettings.json, environment <c>CryptoModule__…</c>, command line).</summary>
public sealed class CryptoModuleOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "CryptoModule";

    /// <summary>Where the SQLite database and the generated admin key live (default <c>~/.secgear/crypto-module</c>).</summary>
    public string? DataDirectory { get; set; }

    /// <summary><c>sqlite</c> (default) or <c>postgres</c> (with <see cref="ConnectionString"/>; several instances may share it).</summary>
    public string StorageProvider { get; set; } = "sqlite";

    /// <summary>The Npgsql connection string when <see cref="StorageProvider"/> is <c>postgres</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The PostgreSQL schema holding the module's tables (created if missing).</summary>
    public string PostgresSchema { get; set; } = "secgear_crypto";

    /// <summary>The administrator API key (header <see cref="CryptoModuleRoutes.AdminKeyHeader"/>); when unset, <c>admin.key</c> in the data directory (generated, 0600).</summary>
    public string? AdminApiKey { get; set; }

    /// <summary>The signed enclave image (default: <c>SecGear.CryptoModule.Enclave.sgimage</c> beside the service).</summary>
    public string? EnclaveImage { get; set; }

    /// <summary>The engine (<c>Auto</c>: simulation without TEE hardware; <c>InProcess</c> for debugging).</summary>
    public EnclaveType Engine { get; set; } = EnclaveType.Auto;

    /// <summary>Run <c>transition_using_threads</c> calls switchless (default true); false makes every call a regular ECALL.</summary>
    public bool Switchless { get; set; } = true;

    /// <summary>Trusted switchless worker threads (default 2).</summary>
    public int SwitchlessWorkers { get; set; } = 2;

    /// <summary>Requests whose enclave message exceeds this many bytes go through shared memory instead of being copied (default 64 KiB).</summary>
    public int SharedMemoryThreshold { get; set; } = 64 * 1024;

    /// <summary>
    /// Where the binary transport for key operations listens (<c>address:port</c>; default <c>127.0.0.1:0</c>, a free
    /// loopback port that clients learn from <see cref="CryptoModuleRoutes.Transports"/>), or <c>off</c>.
    /// </summary>
    public string BinaryEndpoint { get; set; } = "127.0.0.1:0";

    /// <summary>
    /// Most binary transport connections served at once (default 256); one more is answered with a
    /// <see cref="CryptoModuleErrorCodes.TooManyConnections"/> refusal and closed.
    /// </summary>
    public int BinaryMaxConnections { get; set; } = 256;

    /// <summary>
    /// Most enclave calls the binary transport runs at once (default 2). Batches that arrive while these run wait and
    /// are merged, across connections, into the next call; two let one call gather while the other is in the enclave.
    /// </summary>
    public int BinaryConcurrentCalls { get; set; } = 2;

    /// <summary>Largest data input of one operation (default 16 MiB).</summary>
    public int MaxInputBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>How long a key record read from the store is reused before it is read again (default 1 s; writes on this instance invalidate at once).</summary>
    public TimeSpan KeyCacheLifetime { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Where the store wrapping key comes from when it is not sealed on this machine (<c>CryptoModule:KeyBroker:*</c>).</summary>
    public KeyBrokerOptions KeyBroker { get; set; } = new();

    /// <summary>The resolved data directory.</summary>
    public string ResolvedDataDirectory => Path.GetFullPath(
        DataDirectory ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".secgear", "crypto-module"));

    /// <summary>Largest request body: the base64 of the largest input plus room for the other fields.</summary>
    public long MaxRequestBodyBytes => ((long)MaxInputBytes * 4 / 3) + (64 * 1024);
}
