using System.Collections.Concurrent;
using SecGear.CryptoModule.Binary;
using SecGear.CryptoModule.Keys;

namespace SecGear.CryptoModule.Hosting;

/// <summary>
/// Runs the binary transport's batches: every batch read from any connection is queued here, and each of at most
/// <c>concurrentCalls</c> runners takes all the batches queued (up to <see cref="MaxMergedOperations"/> operations)
/// and runs them in one enclave call, then hands each connection its answer. Under load each crossing (switchless or
/// regular) and each key lookup pass then serves many clients' operations; a lone client's batch runs at once.
/// </summary>
internal sealed partial class BinaryBatchMerger(KeyService service, int concurrentCalls, ILogger logger)
{
    /// <summary>Most operations merged into one enclave call.</summary>
    public const int MaxMergedOperations = 1024;

    // Merged requests above this go through one shared buffer; more would hold the enclave for too long.
    private const long MaxMergedBytes = 8L * 1024 * 1024;
    private readonly ConcurrentQueue<BinaryJob> _queue = new();
    private int _running;

    /// <summary>Queues a batch; it runs in the next enclave call that has room.</summary>
    public void Submit(BinaryJob job)
    {
        _queue.Enqueue(job);
        StartRunner();
    }

    private void StartRunner()
    {
        while (!_queue.IsEmpty)
        {
            int running = Volatile.Read(ref _running);
            if (running >= concurrentCalls)
            {
                // A running runner takes the batch when its call returns.
                return;
            }

            if (Interlocked.CompareExchange(ref _running, running + 1, running) == running)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static merger => _ = merger.RunAsync(), this, preferLocal: false);
                return;
            }
        }
    }

    private async Task RunAsync()
    {
        var jobs = new List<BinaryJob>();
        BinaryJob? carried = null;
        try
        {
            while (true)
            {
                jobs.Clear();
                int operations = 0;
                long bytes = 0;
                if (carried is not null)
                {
                    jobs.Add(carried);
                    operations = carried.Operations.Count;
                    bytes = carried.Bytes;
                    carried = null;
                }

                while (operations < MaxMergedOperations && _queue.TryDequeue(out var next))
                {
                    if (jobs.Count > 0 && (operations + next.Operations.Count > MaxMergedOperations || bytes + next.Bytes > MaxMergedBytes))
                    {
                        carried = next;
                        break;
                    }

                    jobs.Add(next);
                    operations += next.Operations.Count;
                    bytes += next.Bytes;
                }

                if (jobs.Count == 0)
                {
                    break;
                }

                await RunMergedAsync(jobs, operations).ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }

        // A batch queued after the last look but before the decrement would otherwise wait for the next submission.
        StartRunner();
    }

    private async Task RunMergedAsync(List<BinaryJob> jobs, int count)
    {
        var tenants = new string[count];
        var operations = new BinaryOperation[count];
        int at = 0;
        foreach (var job in jobs)
        {
            foreach (var operation in job.Operations)
            {
                tenants[at] = job.Tenant;
                operations[at++] = operation;
            }
        }

        BinaryResult[] results;
        try
        {
            results = await service.RunBatchAsync(count, i => tenants[i], i => operations[i]).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Not a refusal (those are results): a fault. Every operation gets the same typed answer; the message,
            // which could quote request data, is not logged.
            LogUnexpected(logger, ex.GetType().Name);
            var failed = BinaryResult.Refused(StatusCodes.Status503ServiceUnavailable, CryptoModuleErrorCodes.EnclaveUnavailable,
                "The batch could not be run; nothing was changed. Retry later.");
            results = [.. Enumerable.Repeat(failed, count)];
        }

        at = 0;
        foreach (var job in jobs)
        {
            var answer = BinaryProtocol.EncodeResults(job.Id, new ArraySegment<BinaryResult>(results, at, job.Operations.Count));
            at += job.Operations.Count;
            job.Connection.Answer(answer);
        }
    }

    [LoggerMessage(EventId = 303, Level = LogLevel.Error, Message = "Unexpected {ExceptionType} while running a merged binary batch; its operations were answered EnclaveUnavailable")]
    private static partial void LogUnexpected(ILogger logger, string exceptionType);
}
