namespace SecGear.Switchless;

/// <summary>
/// The poll-then-sleep loop of a switchless worker, one for both sides (trusted workers poll the ECALL tasks,
/// untrusted workers the OCALL tasks and asynchronous completions). A poll serves every task it finds, so one wake
/// serves a batch. An idle <c>Wakeup</c> worker polls for <see cref="SwitchlessPacer.WorkerIdleSpinUs"/> (at most
/// <c>RetriesBeforeSleep</c> polls) and then sleeps on its side's signal word; when the CPUs are oversubscribed
/// (a poll loop of this side was descheduled) it sleeps right after its batch, so a call costs what a regular call
/// costs (a futex wake each way) rather than time slices lost to spinning. It never calls sched_yield.
/// </summary>
internal static class WorkerLoop
{
    /// <summary>How long a sleeping worker waits before it re-checks for work and for the stop flag.</summary>
    public const int IdleSleepMs = 1000;

    /// <param name="pool">The pool.</param>
    /// <param name="pacer">This side's pacer.</param>
    /// <param name="config">Busy policy and <c>RetriesBeforeSleep</c>.</param>
    /// <param name="signalOffset">The signal word this side's workers sleep on.</param>
    /// <param name="sleepersOffset">The count of this side's sleeping workers.</param>
    /// <param name="poll">Serves whatever is pending; true when it found work.</param>
    /// <param name="hasWork">True when work is pending (re-checked after announcing sleep, so no wake-up is lost).</param>
    /// <param name="stopping">True when the worker must return.</param>
    /// <param name="sleeps">Counts the sleeps.</param>
    /// <param name="wakes">Counts the wake-ups.</param>
    /// <param name="sleepMs">How long one sleep may last (null: <see cref="IdleSleepMs"/>); shorter while work has a deadline.</param>
    /// <param name="sleepNow">Null, or true when this worker should sleep right after its batch (its callers parked for it, so nobody is about to post).</param>
    public static void Run(
        PoolAccess pool, SwitchlessPacer pacer, SwitchlessConfig config, int signalOffset, int sleepersOffset,
        Func<bool> poll, Func<bool> hasWork, Func<bool> stopping, ref long sleeps, ref long wakes, Func<int>? sleepMs = null, Func<bool>? sleepNow = null)
    {
        long idleSpin = SwitchlessPacer.MicrosecondsToTicks(SwitchlessPacer.WorkerIdleSpinUs);
        long last = SwitchlessPacer.Now;
        long lastWork = last;
        int idle = 0;
        while (!stopping())
        {
            if (poll())
            {
                idle = 0;
                last = lastWork = SwitchlessPacer.Now;
                continue;
            }

            idle++;

            // The clock (and what depends on it) is looked at one empty poll in sixteen: a read costs as much as a poll.
            if ((idle & PoolAccess.ClockEvery) != 0)
            {
                PoolAccess.Pause();
                continue;
            }

            long now = SwitchlessPacer.Now;
            if (now - last > SwitchlessPacer.GapTicks)
            {
                pacer.NotePreempted(now);
            }

            last = now;
            bool contended = pacer.Contended(now) || (sleepNow is not null && sleepNow());
            if (!config.Busy && (idle > config.RetriesBeforeSleep || now - lastWork > (contended ? 0 : idleSpin)))
            {
                bool signalled = pool.Sleep(signalOffset, sleepersOffset, sleepMs?.Invoke() ?? IdleSleepMs, hasWork, ref sleeps, ref wakes);

                // After a timeout with nothing to do, one empty poll is enough to go back to sleep.
                idle = signalled ? 0 : config.RetriesBeforeSleep;
                last = SwitchlessPacer.Now;
                lastWork = signalled ? last : last - idleSpin - 1;
            }
            else if (contended && (idle & 255) == 0)
            {
                // A Busy worker on an oversubscribed machine lets the threads it waits for run now and then.
                Thread.Yield();
                last = SwitchlessPacer.Now;
            }
            else
            {
                PoolAccess.Pause();
            }
        }
    }
}
