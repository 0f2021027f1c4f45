using System.Diagnostics;

namespace SecGear.Switchless;

/// <summary>
/// What one side of the pool has learnt about the machine, shared by its callers and workers: how long spinning pays
/// (callers spin about as long as recent calls took, never more than <see cref="MaxCallerSpinUs"/>), whether the
/// CPUs are oversubscribed (a poll loop that was descheduled saw a gap between two polls: then nobody spins, callers
/// park and idle workers sleep at once, as regular calls do), and whether the other side's workers stopped accepting
/// (a caller that waited the fallback timeout in vain sends this side's calls the regular way for a back-off period
/// that doubles while probes keep failing), and which path is faster right now: the average time of switchless calls
/// against that of regular calls (a regular sample now and then, at most about 1/64 of the time, keeps it known): when
/// more than about 2 % of a function's recent switchless calls saved less than half a regular crossing (for an empty call: took longer than half a regular call; when cores are free almost
/// none do; on a busy machine many do, and those make the tail), that function's calls (its slot's) go the regular way for a period
/// (100 ms, doubling to 2 s while probes keep measuring slow, back to 100 ms after 16384 fast calls). Fields are
/// written racily on purpose: they are hints, each a single word.
/// </summary>
internal sealed class SwitchlessPacer
{
    /// <summary>The longest a caller spins before it parks on the task's futex.</summary>
    public const int MaxCallerSpinUs = 30;

    /// <summary>How long an idle worker polls before it sleeps when the CPUs are not oversubscribed.</summary>
    public const int WorkerIdleSpinUs = 200;

    /// <summary>A gap this long between two polls of a loop that only pauses means the thread was descheduled.</summary>
    public const int PreemptedGapUs = 50;

    /// <summary>How long two preemptions close together keep this side in the no-spin mode.</summary>
    public const int ContendedWindowMs = 20;

    /// <summary>Two preemptions at most this far apart mean the CPUs are oversubscribed (one alone may be an interrupt).</summary>
    public const int PreemptionPairMs = 10;

    /// <summary>The most calls of a probe that are not judged (they wake workers that slept through the regular period); the first fast one ends the warm-up.</summary>
    public const int WarmUpCalls = 16;

    /// <summary>Share of slow switchless calls (in 1/65536) above which the regular path is taken: about 2 %.</summary>
    public const int SlowShareLimit = 65536 / 50;

    /// <summary>First back-off after a fallback for lack of acceptance; it doubles on each failed probe.</summary>
    public const int FirstBackoffMs = 5;

    /// <summary>The longest back-off: a worker that accepts again is used again at most this late.</summary>
    public const int MaxBackoffMs = 200;

    /// <summary>
    /// A thread looks whether a regular sample is due once per this many calls; one is due when the side's last sample
    /// is at least <see cref="SampleTimeShare"/> regular calls (and <see cref="MinSampleIntervalMs"/>) old.
    /// </summary>
    public const int SampleEvery = 256;

    /// <summary>Regular samples take at most about 1/64 of the time (a sample per 64 regular calls' time).</summary>
    public const int SampleTimeShare = 64;

    /// <summary>The shortest time between two regular samples of a side.</summary>
    public const int MinSampleIntervalMs = 1;

    /// <summary>One switchless call in this many per thread is timed for the slow-call judge (<see cref="TimeThisCall"/>).</summary>
    public const int TimeEvery = 8;

    /// <summary>First period of regular calls after switchless calls measured slower; it doubles while they stay slower.</summary>
    public const int FirstSlowerMs = 100;

    /// <summary>The longest such period.</summary>
    public const int MaxSlowerMs = 2000;

    /// <summary>Switchless calls that must measure fast in a row before a later slow spell starts again from the first period.</summary>
    public const int FastCallsToForget = 16384;

    /// <summary>
    /// A wait expected to last longer than this is not spun for: parking and being woken costs about this much (a futex
    /// wake and a context switch), so spinning longer only burns a CPU the worker (or anyone) could use.
    /// </summary>
    public const int SpinPaysUs = 8;

    /// <summary>Slots of the per-function records (functions are hashed into them; a collision only mixes two hints).</summary>
    public const int FunctionSlots = 64;

    public static readonly long TicksPerUs = Stopwatch.Frequency / 1_000_000 > 0 ? Stopwatch.Frequency / 1_000_000 : 1;

    private static readonly long PreemptedGapTicks = PreemptedGapUs * TicksPerUs;
    private static readonly long MaxCallerSpinTicks = MaxCallerSpinUs * TicksPerUs;
    private static readonly long MinCallerSpinTicks = TicksPerUs;
    private static readonly long SpinPaysTicks = SpinPaysUs * TicksPerUs;
    private static readonly long MinSampleIntervalTicks = MinSampleIntervalMs * 1000 * TicksPerUs;

    /// <summary>Per function slot: running average of what a caller waited for a switchless call's answer.</summary>
    private readonly long[] _waitBySlot = new long[FunctionSlots];

    /// <summary>Per function slot: running average of a regular call's time.</summary>
    private readonly long[] _regularBySlot = new long[FunctionSlots];

    /// <summary>Read by idle workers on every poll: kept on a cache line of its own, away from what callers write per call.</summary>
    private readonly PaddedWord _contendedUntil = new();

    private long _callerSpinTicks = MaxCallerSpinTicks;
    private long _regularUntil;
    private long _backoffTicks;

    /// <summary>
    /// Per function slot: its "slower" verdict. Per function, not per side: a long call that measures no faster than
    /// its regular form (a 1 MiB sum) must not send the side's empty calls the regular way with it; in session 6's
    /// quiet run 1.38 M calls went regular as "slower" that way, among them every single-caller empty ECALL of a row.
    /// </summary>
    private readonly SlowVerdict[] _slow = new SlowVerdict[FunctionSlots];
    private readonly bool _adaptive;
    private long _lastSample;

    /// <summary>The pacer whose calls <see cref="t_sinceSample"/> counts on this thread.</summary>
    [ThreadStatic]
    private static SwitchlessPacer? t_samplePacer;

    /// <summary>This thread's calls since it last looked whether a regular sample is due.</summary>
    [ThreadStatic]
    private static int t_sinceSample;

    /// <summary>Calls this thread makes before it times one for the slow-call judge.</summary>
    [ThreadStatic]
    private static int t_untilTimed;
    private long _lastGap;
    private long _regularAverage;
    private long _regularFloor;

    /// <summary>The gap between two polls that means the polling thread lost its CPU.</summary>
    public static long GapTicks => PreemptedGapTicks;

    public static long Now => Stopwatch.GetTimestamp();

    public static long MicrosecondsToTicks(long us) => us * TicksPerUs;

    /// <summary>True while a recent preemption says the CPUs are oversubscribed.</summary>
    public bool Contended(long now) => now < Volatile.Read(ref _contendedUntil.Value);

    /// <summary>A poll loop of this side saw it was descheduled: the second time within 10 ms, stop spinning for a while.</summary>
    public void NotePreempted(long now)
    {
        long previous = Interlocked.Exchange(ref _lastGap, now);
        if (now - previous < PreemptionPairMs * 1000 * TicksPerUs)
        {
            Volatile.Write(ref _contendedUntil.Value, now + (ContendedWindowMs * 1000 * TicksPerUs));
        }
    }

    /// <summary>The record slot of a function.</summary>
    public static int Slot(int contract, int function) => ((contract * 31) + function) & (FunctionSlots - 1);

    /// <summary>
    /// How long a caller of the function in <paramref name="slot"/> spins before parking now: not at all while the CPUs
    /// are oversubscribed; a microsecond (enough to catch a call that is quick after all) when this function's calls
    /// were recently waited for longer than spinning pays (a long call: its caller parks, and the worker wakes it);
    /// else the side's adaptive spin.
    /// </summary>
    public long CallerSpinTicks(long now, int slot) =>
        Contended(now) ? 0
        : Volatile.Read(ref _waitBySlot[slot]) > SpinPaysTicks ? MinCallerSpinTicks
        : Volatile.Read(ref _callerSpinTicks);

    /// <summary>
    /// After a call: a wait shorter than the longest spin means spinning would have paid (grow the spin), a longer
    /// one that parking costs nothing extra (shrink it). The adaptive-mutex rule, per side; and the function's own
    /// record of waits, which decides whether its next caller spins at all.
    /// </summary>
    public void ObserveWait(long waitedTicks, int slot)
    {
        Average(ref _waitBySlot[slot], waitedTicks);
        long spin = Volatile.Read(ref _callerSpinTicks);
        long next = waitedTicks <= MaxCallerSpinTicks ? Math.Min(MaxCallerSpinTicks, (spin * 2) + MinCallerSpinTicks) : Math.Max(MinCallerSpinTicks, spin / 2);
        if (next != spin)
        {
            Volatile.Write(ref _callerSpinTicks, next);
        }
    }

    /// <summary>
    /// A call answered before its caller first read the clock (a few hundred ns): spinning paid. Writes only when
    /// that changes a record (the function was recorded as long, or the spin is below its longest), so callers of
    /// quick calls share these words read-only.
    /// </summary>
    public void ObserveQuickWait(int slot)
    {
        if (Volatile.Read(ref _waitBySlot[slot]) > SpinPaysTicks)
        {
            Average(ref _waitBySlot[slot], TicksPerUs);
        }

        if (Volatile.Read(ref _callerSpinTicks) < MaxCallerSpinTicks)
        {
            Volatile.Write(ref _callerSpinTicks, MaxCallerSpinTicks);
        }
    }

    /// <summary>
    /// True when the function in <paramref name="slot"/> is a short call: what its callers recently waited per call is
    /// at most what spinning pays for (or nothing is known yet). An asynchronous caller parks for such a call's answer
    /// rather than handing its continuation to another thread (which costs more than the call).
    /// </summary>
    public bool ShortCall(int slot) => Volatile.Read(ref _waitBySlot[slot]) <= SpinPaysTicks;

    /// <summary>What an asynchronous caller waited per call for the function in <paramref name="slot"/> (its record only; the side's spin is for synchronous callers).</summary>
    public void ObserveAsyncWait(long waitedTicks, int slot) => Average(ref _waitBySlot[slot], waitedTicks);

    /// <summary>True while this side's calls go the regular way because the workers stopped accepting.</summary>
    public bool InBackoff(long now) => now < Volatile.Read(ref _regularUntil);

    /// <param name="adaptive">False (benchmarks of the raw pool only): always choose the pool unless a worker did not accept.</param>
    public SwitchlessPacer(bool adaptive = true) => _adaptive = adaptive;

    /// <summary>
    /// Which path the next call takes (before it touches the pool). The common case is two loads and a compare (no
    /// period sends calls the regular way) and a thread-local countdown: no clock read, no shared write, no allocation.
    /// The clock is read only while a period is on, and once per <see cref="SampleEvery"/> calls of a thread.
    /// </summary>
    public SwitchlessPath Choose(int slot)
    {
        if ((Volatile.Read(ref _regularUntil) | Volatile.Read(ref _slow[slot].Until)) != 0)
        {
            SwitchlessPath path = ChooseInPeriod(Now, slot);
            if (path != SwitchlessPath.Switchless)
            {
                return path;
            }
        }

        if (!_adaptive)
        {
            return SwitchlessPath.Switchless;
        }

        // A thread that moves to another pacer starts its count afresh: a pool's first calls are never samples.
        if (!ReferenceEquals(t_samplePacer, this))
        {
            t_samplePacer = this;
            t_sinceSample = 0;
        }

        if (++t_sinceSample < SampleEvery)
        {
            return SwitchlessPath.Switchless;
        }

        t_sinceSample = 0;
        return SampleDue(Now) ? SwitchlessPath.Sampling : SwitchlessPath.Switchless;
    }

    /// <summary>
    /// True (and noted) when a regular sample is due: at least <see cref="SampleTimeShare"/> regular calls' worth of
    /// time passed since the last one, so samples cost at most about 1/<see cref="SampleTimeShare"/> of the time
    /// whatever the two paths cost (one call in 256 cost 10-20 % when a switchless call is 50 times cheaper).
    /// </summary>
    private bool SampleDue(long now)
    {
        long last = Volatile.Read(ref _lastSample);
        long interval = Math.Max(MinSampleIntervalTicks, Volatile.Read(ref _regularAverage) * SampleTimeShare);
        if (now - last < interval || Interlocked.CompareExchange(ref _lastSample, now, last) != last)
        {
            return false;
        }

        return true;
    }

    /// <summary>While a back-off or a "slower" period is set: its path, or Switchless once it is over (then cleared).</summary>
    private SwitchlessPath ChooseInPeriod(long now, int slot)
    {
        long regularUntil = Volatile.Read(ref _regularUntil);
        if (regularUntil != 0)
        {
            if (now < regularUntil)
            {
                return SwitchlessPath.Backoff;
            }

            Interlocked.CompareExchange(ref _regularUntil, 0, regularUntil);
        }

        ref SlowVerdict verdict = ref _slow[slot];
        long slowerUntil = Volatile.Read(ref verdict.Until);
        if (slowerUntil != 0 && _adaptive)
        {
            if (now < slowerUntil)
            {
                return SwitchlessPath.Slower;
            }

            // The period is over: probe the pool again, with a clean record (a few slow calls overturn it).
            Volatile.Write(ref verdict.Share, 0);
            Volatile.Write(ref verdict.WarmUp, WarmUpCalls);
            Interlocked.CompareExchange(ref verdict.Until, 0, slowerUntil);
        }

        return SwitchlessPath.Switchless;
    }

    /// <summary>
    /// True when the caller should time this call for <see cref="ObserveSwitchless"/>: one call in <see cref="TimeEvery"/>
    /// per thread (slow spells last milliseconds, so a sample of the calls finds them), so most calls read no clock.
    /// </summary>
    public static bool TimeThisCall()
    {
        if (--t_untilTimed > 0)
        {
            return false;
        }

        t_untilTimed = TimeEvery;
        return true;
    }

    /// <summary>
    /// A switchless call of the function in <paramref name="slot"/> took <paramref name="ticks"/> from posting to its
    /// result. It counts as slow when it saved less than half of what a regular call costs beyond its work: longer
    /// than this function's regular time (or the side's, while the function has none) less half the cheapest
    /// function's regular time (the cost of the crossing itself). For an empty call that is half a regular call; a
    /// long call is not judged slow for its length.
    /// </summary>
    public void ObserveSwitchless(long ticks, long now, int slot)
    {
        long regular = Volatile.Read(ref _regularBySlot[slot]);
        if (regular == 0)
        {
            regular = Volatile.Read(ref _regularAverage);
        }

        if (regular == 0)
        {
            return;
        }

        long limit = regular - (Math.Min(regular, Volatile.Read(ref _regularFloor)) / 2);

        // The first calls of a probe wake workers that slept through the regular period (a futex wake, 20-40 µs on a
        // VM): not a measure of the pool. They are not judged until one is fast (the workers are awake), at most
        // WarmUpCalls of them; two were too few, so a probe met a waking worker, failed, and the period doubled.
        ref SlowVerdict verdict = ref _slow[slot];
        int warmUp = Volatile.Read(ref verdict.WarmUp);
        if (warmUp > 0)
        {
            Volatile.Write(ref verdict.WarmUp, ticks <= limit ? 0 : warmUp - 1);
            return;
        }

        // Running share of slow calls, weight 1/128 for the newest (three slow calls close together pass the limit).
        int share = Volatile.Read(ref verdict.Share);
        share += ((ticks > limit ? 65536 : 0) - share) / 128;
        Volatile.Write(ref verdict.Share, share);
        if (share > SlowShareLimit && Volatile.Read(ref verdict.Until) == 0)
        {
            long period = Volatile.Read(ref verdict.Period);
            period = period == 0 ? FirstSlowerMs * 1000 * TicksPerUs : Math.Min(MaxSlowerMs * 1000 * TicksPerUs, period * 2);
            Volatile.Write(ref verdict.Period, period);
            Volatile.Write(ref verdict.Until, now + period);
            Volatile.Write(ref verdict.FastCalls, 0);
        }
        else if (share <= SlowShareLimit && Volatile.Read(ref verdict.Period) != 0 && Interlocked.Increment(ref verdict.FastCalls) >= FastCallsToForget)
        {
            Volatile.Write(ref verdict.Period, 0);
        }
    }

    /// <summary>
    /// A regular call of this side (a fallback, or a sample) of the function in <paramref name="slot"/> took
    /// <paramref name="ticks"/>. Also tracks the cheapest function's regular time (the crossing's own cost): it
    /// follows a lower average at once and a higher one slowly.
    /// </summary>
    public void ObserveRegular(long ticks, int slot)
    {
        Average(ref _regularAverage, ticks);
        Average(ref _regularBySlot[slot], ticks);
        long average = Volatile.Read(ref _regularBySlot[slot]);
        long floor = Volatile.Read(ref _regularFloor);
        Volatile.Write(ref _regularFloor, floor == 0 || average < floor ? average : floor + ((average - floor) / 64));
    }

    /// <summary>Running average with weight 1/8 for the new sample (the first sample is taken as it is).</summary>
    private static void Average(ref long average, long sample)
    {
        long old = Volatile.Read(ref average);
        long next = old == 0 ? sample : old + ((sample - old) / 8);
        Volatile.Write(ref average, Math.Max(1, next));
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

    /// <summary>One function slot's "slower" verdict (written racily, as the pacer's other hints).</summary>
    private struct SlowVerdict
    {
        /// <summary>End of the current period of regular calls (0: none).</summary>
        public long Until;

        /// <summary>The length of the last period (0: the next starts from <see cref="FirstSlowerMs"/>).</summary>
        public long Period;

        /// <summary>Running share of slow calls, in 1/65536.</summary>
        public int Share;

        /// <summary>Calls of a probe still not judged.</summary>
        public int WarmUp;

        /// <summary>Fast calls since the last period.</summary>
        public int FastCalls;
    }

    /// <summary>A word with 64 bytes of padding on each side, so no other field shares its cache line.</summary>
    private sealed class PaddedWord
    {
#pragma warning disable CS0169, IDE0051 // Padding: never read, it only keeps other data off the line of Value.
        private long _p1, _p2, _p3, _p4, _p5, _p6, _p7, _p8;
#pragma warning restore CS0169, IDE0051
        public long Value;
#pragma warning disable CS0169, IDE0051 // Padding, as above.
        private long _q1, _q2, _q3, _q4, _q5, _q6, _q7, _q8;
#pragma warning restore CS0169, IDE0051
    }
}
