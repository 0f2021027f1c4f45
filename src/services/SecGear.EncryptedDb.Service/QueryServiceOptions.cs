using Microsoft.Extensions.Logging;

namespace SecGear.EncryptedDb.Service;

/// <summary>Settings of the query service.</summary>
public sealed class QueryServiceOptions
{
    /// <summary>Npgsql connection string of the database holding the encrypted tables (use a read-only role).</summary>
    public required string ConnectionString { get; init; }

    /// <summary>The signed query enclave image; default: SecGear.EncryptedDb.Enclave.sgimage beside the service.</summary>
    public string EnclaveImagePath { get; init; } = Path.Combine(AppContext.BaseDirectory, "SecGear.EncryptedDb.Enclave.sgimage");

    /// <summary>Feed row batches with switchless calls (default) or regular ECALLs.</summary>
    public bool Switchless { get; init; } = true;

    /// <summary>Most rows per batch.</summary>
    public int BatchRows { get; init; } = 8192;

    /// <summary>
    /// Batches of more rows than this go to the enclave as regular ECALLs (<c>query_rows_long</c>) even when the enclave
    /// is switchless: a switchless caller spins while the enclave works, and for a batch that takes milliseconds that
    /// spinning takes a core from the enclave's filter threads. Short batches stay switchless.
    /// </summary>
    public int SwitchlessMaxBatchRows { get; init; } = 256;

    /// <summary>Size of the shared buffer a batch is written into (a row larger than this fails the query).</summary>
    public int BatchBytes { get; init; } = 4 << 20;

    /// <summary>Largest candidate SQL accepted from a client.</summary>
    public int MaxSqlLength { get; init; } = QueryServiceProtocol.MaxSqlLength;

    /// <summary>The service's log (query ids, row counts, timings; never values or keys).</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>
    /// Receives every byte the service exchanges with the enclave (channel frames both ways, row batches, sealed result
    /// chunks), labelled; for audits and the threat-model tests. Null records nothing.
    /// </summary>
    public Action<string, ReadOnlyMemory<byte>>? TrafficRecorder { get; init; }
}
