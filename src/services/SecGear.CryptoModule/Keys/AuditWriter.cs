using System.Threading.Channels;
using SecGear.CryptoModule.Storage;

namespace SecGear.CryptoModule.Keys;

/// <summary>
/// Records every key use and management action (tenant, key, version, operation, outcome; never data, IVs or
/// material). Records are queued and written in batches, one transaction each, so auditing costs the hot path a queue
/// write rather than a disk sync; on shutdown the queue is drained. Identical uses in one batch are written as one
/// record counting them (<see cref="AuditEntry.Uses"/>): at a hundred thousand operations a second a row per use
/// cost more CPU than the operations.
/// </summary>
public sealed partial class AuditWriter(KeyStore store, ILogger<AuditWriter> logger) : BackgroundService
{
    private const int MaxBatch = 512;

    // Queued records merged into one transaction at most (the rows it writes stay under MaxBatch).
    private const int MaxRead = 65536;
    private static readonly TimeSpan GatherTime = TimeSpan.FromMilliseconds(10);
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private readonly Channel<AuditEntry> _queue = Channel.CreateBounded<AuditEntry>(new BoundedChannelOptions(100_000)
    {
        FullMode = BoundedChannelFullMode.Wait,
    });

    /// <summary>Queues one record (of <paramref name="uses"/> identical uses).</summary>
    public void Record(string tenant, string? keyId, uint? version, string operation, string outcome, long uses = 1)
    {
        var entry = new AuditEntry(0, DateTimeOffset.UtcNow, tenant, keyId, version, operation, outcome, uses);
        if (!_queue.Writer.TryWrite(entry))
        {
            LogDropped(logger, tenant, operation);
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<AuditEntry>(MaxBatch);
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                // Let records gather for a moment: under load each transaction (one fsync) then carries hundreds of
                // records instead of a few dozen; a record waits at most this long before it is written.
                await Task.Delay(GatherTime, stoppingToken).ConfigureAwait(false);
                await FlushAsync(batch).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down: write what is queued.
            await FlushAsync(batch).ConfigureAwait(false);
        }
    }

    /// <summary>Writes everything queued so far (tests and shutdown).</summary>
    public async Task FlushAsync() => await FlushAsync(new List<AuditEntry>(MaxBatch)).ConfigureAwait(false);

    private async Task FlushAsync(List<AuditEntry> batch)
    {
        // One flusher at a time: a caller that flushes (the audit endpoint) waits for a batch in flight to land.
        await _flushing.WaitAsync().ConfigureAwait(false);
        try
        {
            await DrainAsync(batch).ConfigureAwait(false);
        }
        finally
        {
            _flushing.Release();
        }
    }

    private async Task DrainAsync(List<AuditEntry> batch)
    {
        while (true)
        {
            batch.Clear();
            var merged = new Dictionary<(string, string?, uint?, string, string), int>();
            int read = 0;
            while (batch.Count < MaxBatch && read++ < MaxRead && _queue.Reader.TryRead(out var entry))
            {
                var identity = (entry.Tenant, entry.KeyId, entry.Version, entry.Operation, entry.Outcome);
                if (merged.TryGetValue(identity, out int at))
                {
                    batch[at] = batch[at] with { Uses = batch[at].Uses + entry.Uses };
                }
                else
                {
                    merged[identity] = batch.Count;
                    batch.Add(entry);
                }
            }

            if (batch.Count == 0)
            {
                return;
            }

            try
            {
                await store.AppendAuditAsync(batch).ConfigureAwait(false);
            }
            catch (StorageUnavailableException ex)
            {
                LogLost(logger, batch.Count, ex.Message);
            }
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _flushing.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "Audit queue full: a {Operation} record of tenant {Tenant} was dropped")]
    private static partial void LogDropped(ILogger logger, string tenant, string operation);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "{Count} audit records were not stored: {Reason}")]
    private static partial void LogLost(ILogger logger, int count, string reason);
}
