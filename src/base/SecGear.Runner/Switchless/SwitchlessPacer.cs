using System.Diagnostics;

namespace SecGear.Switchless;

/// <summary>
/// What one side of the pool has learnt about the machine, shared by its callers and workers: how long spinning pays
/// (callers spin about as long as recent calls took, never more than <see cref="MaxCallerSpinUs"/>), whether the
/// CPUs are oversubscribed (a poll loop that was descheduled saw a gap between two polls: then nobody spins, callers
/// park and idle workers sleep at once, as regular calls do), and whether the other side's workers stopped accepting
/// (a caller that waited the fallback timeout in vain sends this side's calls the regular way for a back-off period
/// that doubles while probes keep failing), and which path is faster right now: the average time of switchless calls
/// against that of regular calls (one call in <see cref="SampleEvery"/> goes the regular way to keep it known); unless
/// switchless calls take at most half as long (they do when cores are free; on a busy machine their mean may still
/// be close to a regular call's but their tail is not), the side's calls go the regular way for a period that
/// doubles while that stays so. Fields are written racily on purpose: they are hints, each a single word.
/// </summary>
internal sealed class SwitchlessPacer
{
    /// <summary>The longest a caller spins before it parks on the task's futex.</summary>
    public const int MaxCallerSpinUs = 30;

    /// <summary>How long an idle worker polls before it sleeps when the CPUs are not oversubscribed.</summary>
    public const int WorkerIdleSpinUs = 200;

    /// <summary>A gap this long between two polls of a loop that only pauses means the thread was descheduled.</summary>
    public const int PreemptedGapUs = 50;

    /// <summary>How long one observed preemption keeps this side in the no-spin mode.</summary>
    public const int ContendedWindowMs = 20;

    /// <summary>First back-off after a fallback for lack of acceptance; it doubles on each failed probe.</summary>
    public const int FirstBackoffMs = 5;

    /// <summary>The longest back-off: a worker that accepts again is used again at most this late.</summary>
    public const int MaxBackoffMs = 200;

    /// <summary>One switchless call in this many goes the regular way to keep the regular path's cost known.</summary>
    public const int SampleEvery = 256;

    /// <summary>First period of regular calls after switchless calls measured slower; it doubles while they stay slower.</summary>
    public const int FirstSlowerMs = 20;

    /// <summary>The longest such period.</summary>
    public const int MaxSlowerMs = 1000;

    public static readonly long TicksPerUs = Stopwatch.Frequency / 1_000_000 > 0 ? Stopwatch.Frequency / 1_000_000 : 1;

    private static readonly long PreemptedGapTicks = PreemptedGapUs * TicksPerUs;
    private static readonly long MaxCallerSpinTicks = MaxCallerSpinUs * TicksPerUs;
    private static readonly long MinCallerSpinTicks = TicksPerUs;

    private long _contendedUntil;
    private long _callerSpinTicks = MaxCallerSpinTicks;
    private long _regularUntil;
    private long _backoffTicks;
    private long _slowerUntil;
    private long _slowerTicks;
    private long _switchlessAverage;
    private long _regularAverage;
    private int _calls;

    /// <summary>The gap between two polls that means the polling thread lost its CPU.</summary>
    public static long GapTicks => PreemptedGapTicks;

    public static long Now => Stopwatch.GetTimestamp();

    public static long MicrosecondsToTicks(long us) => us * TicksPerUs;

    /// <summary>True while a recent preemption says the CPUs are oversubscribed.</summary>
    public bool Contended(long now) => now < Volatile.Read(ref _contendedUntil);

    /// <summary>A poll loop of this side saw it was descheduled: stop spinning for a while.</summary>
    public void NotePreempted(long now) => Volatile.Write(ref _contendedUntil, now + (ContendedWindowMs * 1000 * TicksPerUs));

    /// <summary>How long a caller spins before parking now.</summary>
    public long CallerSpinTicks(long now) => Contended(now) ? 0 : Volatile.Read(ref _callerSpinTicks);

    /// <summary>
    /// After a call: a wait shorter than the longest spin means spinning would have paid (grow the spin), a longer
    /// one that parking costs nothing extra (shrink it). The adaptive-mutex rule, per side.
    /// </summary>
    public void ObserveWait(long waitedTicks)
    {
        long spin = Volatile.Read(ref _callerSpinTicks);
        long next = waitedTicks <= MaxCallerSpinTicks ? Math.Min(MaxCallerSpinTicks, (spin * 2) + MinCallerSpinTicks) : Math.Max(MinCallerSpinTicks, spin / 2);
        if (next != spin)
        {
            Volatile.Write(ref _callerSpinTicks, next);
        }
    }

    /// <summary>True while this side's calls go the regular way because the workers stopped accepting.</summary>
    public bool InBackoff(long now) => now < Volatile.Read(ref _regularUntil);

    /// <summary>Which path the next call takes (before it touches the pool).</summary>
    public SwitchlessPath Choose(long now)
    {
        if (now < Volatile.Read(ref _regularUntil))
        {
            return SwitchlessPath.Backoff;
        }

        long slowerUntil = Volatile.Read(ref _slowerUntil);
        if (slowerUntil != 0)
        {
            if (now < slowerUntil)
            {
                return SwitchlessPath.Slower;
            }

            // The period is over: probe the pool again, starting from an average that a few slow calls overturn.
            Volatile.Write(ref _slowerUntil, 0);
            Volatile.Write(ref _switchlessAverage, Math.Max(1, Volatile.Read(ref _regularAverage) / 4));
        }

        return Interlocked.Increment(ref _calls) % SampleEvery == 0 ? SwitchlessPath.Sampling : SwitchlessPath.Switchless;
    }

    /// <summary>A switchless call took <paramref name="ticks"/> from posting to its result.</summary>
    public void ObserveSwitchless(long ticks, long now)
    {
        long average = Average(ref _switchlessAverage, ticks);
        long regular = Volatile.Read(ref _regularAverage);
        if (regular == 0)
        {
            return;
        }

        if (average * 2 > regular && Volatile.Read(ref _slowerUntil) == 0)
        {
            long period = Volatile.Read(ref _slowerTicks);
            period = period == 0 ? FirstSlowerMs * 1000 * TicksPerUs : Math.Min(MaxSlowerMs * 1000 * TicksPerUs, period * 2);
            Volatile.Write(ref _slowerTicks, period);
            Volatile.Write(ref _slowerUntil, now + period);
        }
        else if (average * 4 < regular && Volatile.Read(ref _slowerTicks) != 0)
        {
            Volatile.Write(ref _slowerTicks, 0);
        }
    }

    /// <summary>A regular call of this side (a fallback, or a sample) took <paramref name="ticks"/>.</summary>
    public void ObserveRegular(long ticks) => Average(ref _regularAverage, ticks);

    /// <summary>Running average with weight 1/8 for the new sample (the first sample is taken as it is).</summary>
    private static long Average(ref long average, long sample)
    {
        long old = Volatile.Read(ref average);
        long next = old == 0 ? sample : old + ((sample - old) / 8);
        Volatile.Write(ref average, Math.Max(1, next));
        return next;
    }

    /// <summary>A caller gave up waiting for acceptance: start (or double) the back-off.</summary>
    public void NoteNotAccepted(long now)
    {
        long backoff = Volatile.Read(ref _backoffTicks);
        backoff = backoff == 0 ? FirstBackoffMs * 1000 * TicksPerUs : Math.Min(MaxBackoffMs * 1000 * TicksPerUs, backoff * 2);
        Volatile.Write(ref _backoffTicks, backoff);
        Volatile.Write(ref _regularUntil, now + backoff);
    }

    /// <summary>A worker accepted a task: the next fallback starts a fresh back-off.</summary>
    public void NoteAccepted()
    {
        if (Volatile.Read(ref _backoffTicks) != 0)
        {
            Volatile.Write(ref _backoffTicks, 0);
        }
    }
}
