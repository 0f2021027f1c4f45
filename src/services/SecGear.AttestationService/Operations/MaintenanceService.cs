using Microsoft.Extensions.Options;
using SecGear.AttestationService.Hosting;
using SecGear.AttestationService.Security;
using SecGear.AttestationService.Storage;

namespace SecGear.AttestationService.Operations;

/// <summary>
/// Runs every <see cref="OperationsOptions.MaintenanceInterval"/> in the background of each instance: refreshes the
/// token-signing keys (rotating and retiring them when due), prunes expired challenges and old audit rows in small
/// batches (each batch a short statement, so requests are never held behind a long delete), and counts the
/// outstanding challenges for the metrics. A failing step is logged and retried at the next run.
/// </summary>
public sealed partial class MaintenanceService(
    IAttestationStore store,
    TokenService tokens,
    ServiceMetrics metrics,
    TimeProvider time,
    IOptions<AttestationServiceOptions> options,
    ILogger<MaintenanceService> logger) : BackgroundService
{
    /// <summary>Most batches per table and run: a huge backlog is worked off over several runs rather than in one long burst.</summary>
    private const int MaxBatchesPerRun = 200;

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Runs one maintenance pass now (tests and the console's rotation use the same steps); concurrent calls run one after the other.</summary>
    /// <returns>The rows pruned: challenges, audit.</returns>
    public async Task<(int Challenges, int Audit)> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var operations = options.Value.Operations;
            await Step("keys", () => tokens.MaintainKeysAsync(cancellationToken)).ConfigureAwait(false);
            int challenges = 0;
            int audit = 0;
            await Step("challenges", async () =>
                challenges = await PruneAsync(before => store.PruneChallengesAsync(before, operations.PruneBatchSize, cancellationToken), time.GetUtcNow() - operations.ChallengeRetention, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            if (operations.AuditRetention > TimeSpan.Zero)
            {
                await Step("audit", async () =>
                    audit = await PruneAsync(before => store.PruneAuditAsync(before, operations.PruneBatchSize, cancellationToken), time.GetUtcNow() - operations.AuditRetention, cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            }

            await Step("count", async () => metrics.SetOutstandingChallenges(await store.CountOutstandingChallengesAsync(time.GetUtcNow(), cancellationToken).ConfigureAwait(false))).ConfigureAwait(false);
            return (challenges, audit);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.Operations.MaintenanceInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }

        // Real time, not the service clock: this only paces the work; every decision reads the service clock.
        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                try
                {
                    await RunOnceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // A maintenance failure must not stop the host (BackgroundService's default); the next run retries.
                    LogRunFailed(logger, ex);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    private static async Task<int> PruneAsync(Func<DateTimeOffset, Task<int>> batch, DateTimeOffset before, CancellationToken cancellationToken)
    {
        int total = 0;
        for (int i = 0; i < MaxBatchesPerRun; i++)
        {
            int deleted = await batch(before).ConfigureAwait(false);
            total += deleted;
            if (deleted == 0)
            {
                break;
            }

            // Let queued request writes go first between batches.
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
        }

        return total;
    }

    private async Task Step(string name, Func<Task> step)
    {
        try
        {
            await step().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StorageUnavailableException or System.Security.Cryptography.CryptographicException)
        {
            LogStepFailed(logger, name, ex.Message);
        }
    }

    [LoggerMessage(EventId = 201, Level = LogLevel.Error, Message = "A maintenance run failed; it is retried at the next run")]
    private static partial void LogRunFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 200, Level = LogLevel.Warning, Message = "Maintenance step {Step} failed; it is retried at the next run: {Reason}")]
    private static partial void LogStepFailed(ILogger logger, string step, string reason);
}
