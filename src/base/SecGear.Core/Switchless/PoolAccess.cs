using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using SecGear.Transport;

namespace SecGear.Switchless;

/// <summary>
/// Pointer arithmetic and atomic word operations over a mapped pool, shared by both sides. Stores into the pool
/// are 8-byte words (control words, lengths, payload chunks), so the enclave never writes a partial word into
/// untrusted memory.
/// </summary>
internal readonly unsafe struct PoolAccess(byte* pool, int tasks, int taskSize)
{
    public int Tasks => tasks;

    public byte* EcallTask(int index) => pool + PoolLayout.HeaderSize + ((long)index * taskSize);

    public byte* OcallTask(int index) => pool + PoolLayout.HeaderSize + ((long)(tasks + index) * taskSize);

    public long* Word(int offset) => (long*)(pool + offset);

    /// <summary>The answer word's futex half: a parked caller waits on it, a worker that answers wakes it.</summary>
    public static int* AnswerWord(byte* task) => (int*)(task + PoolLayout.OffAnswer);

    /// <summary>The sequence number of the call in a task (the caller word's high half).</summary>
    public static uint SequenceOf(byte* task) => (uint)(Volatile.Read(ref *(long*)task) >>> 32);

    /// <summary>The answer word of call <paramref name="sequence"/>: its low 20 bits, the chunk's low 4 bits, the state; the status above.</summary>
    public static long Answer(uint sequence, int chunk, int state, int status) =>
        (uint)(((sequence & 0xFFFFF) << 12) | ((uint)(chunk & 0xF) << 8) | (uint)(state & 0xFF)) | ((long)status << 32);

    /// <summary>
    /// The state of a task as both sides see it, from its three words: Dead (the host marked it), the caller's state while
    /// it is not Submitted, the answer of the current call (Done, Failed, More with a chunk not yet taken), Accepted (a
    /// worker accepted it, or took back a chunk's acknowledgement), Claimed (its caller took it back unaccepted), or
    /// Submitted. Reads the decision line: a caller's hot poll uses <see cref="AnswerOf"/>, which leaves it alone.
    /// </summary>
    public static int StateOf(byte* task)
    {
        long answer = Volatile.Read(ref *(long*)(task + PoolLayout.OffAnswer));
        if ((answer & 0xFF) == TaskState.Dead)
        {
            return TaskState.Dead;
        }

        long control = Volatile.Read(ref *(long*)task);
        if ((int)control != TaskState.Submitted)
        {
            return (int)control;
        }

        uint sequence = (uint)(control >>> 32);
        int answered = AnsweredState(task, answer, sequence);
        if (answered != 0)
        {
            return answered;
        }

        long accept = Volatile.Read(ref *(long*)(task + PoolLayout.OffAccept));
        return (uint)accept != sequence ? TaskState.Submitted : (accept & PoolLayout.Withdrawn) != 0 ? TaskState.Claimed : TaskState.Accepted;
    }

    /// <summary>
    /// The caller's poll of its own pending call: the answer (Done, Failed, More) or Dead, else Accepted for "still
    /// pending" (accepted or not: the decision line is not read, so the worker's accept stays a local operation).
    /// </summary>
    public static int AnswerOf(byte* task)
    {
        long answer = Volatile.Read(ref *(long*)(task + PoolLayout.OffAnswer));
        if ((answer & 0xFF) == TaskState.Dead)
        {
            return TaskState.Dead;
        }

        int answered = AnsweredState(task, answer, SequenceOf(task));
        return answered != 0 ? answered : TaskState.Accepted;
    }

    /// <summary>The failure status of a task's answer (the answer word's high half).</summary>
    public static int StatusOf(byte* task) => (int)(Volatile.Read(ref *(long*)(task + PoolLayout.OffAnswer)) >>> 32);

    /// <summary>What an answer word says about call <paramref name="sequence"/>: Done, Failed, More (a chunk not yet taken), Accepted (the chunk was taken), or 0 (no answer to this call).</summary>
    private static int AnsweredState(byte* task, long answer, uint sequence)
    {
        if ((((uint)answer >> 12) & 0xFFFFF) != (sequence & 0xFFFFF))
        {
            return 0;
        }

        int state = (int)(answer & 0xFF);
        if (state == TaskState.More)
        {
            long taken = Volatile.Read(ref *(long*)(task + PoolLayout.OffChunkAck));
            return (int)((answer >> 8) & 0xF) == (int)(taken & 0xF) ? TaskState.More : TaskState.Accepted;
        }

        return state is TaskState.Done or TaskState.Failed ? state : 0;
    }

    /// <summary>A caller takes a free task for a new call (the next sequence number). Reads before the CAS: a CAS on a line another side reads would move it.</summary>
    public static bool TryClaim(byte* task)
    {
        long control = Volatile.Read(ref *(long*)task);
        if ((int)control != TaskState.Free)
        {
            return false;
        }

        long claimed = ((long)((uint)(control >>> 32) + 1) << 32) | TaskState.Claimed;
        return Interlocked.CompareExchange(ref *(long*)task, claimed, control) == control;
    }

    /// <summary>Publishes a claimed task's request (with a full fence: the read of the sleepers that follows must not move above it).</summary>
    public static void Submit(byte* task)
    {
        Volatile.Write(ref *(long*)(task + PoolLayout.OffChunkAck), 0);
        long control = Volatile.Read(ref *(long*)task);
        Interlocked.Exchange(ref *(long*)task, (control & unchecked((long)0xFFFF_FFFF_0000_0000)) | TaskState.Submitted);
    }

    /// <summary>The caller is done with its task (answer read, or the call taken back): another call may claim it.</summary>
    public static void Release(byte* task)
    {
        long control = Volatile.Read(ref *(long*)task);
        Volatile.Write(ref *(long*)task, control & unchecked((long)0xFFFF_FFFF_0000_0000));
    }

    /// <summary>A worker accepts the submitted call in a task; false when there is none or it was decided (accepted by another worker, or taken back).</summary>
    public static bool TryAccept(byte* task, out uint sequence)
    {
        long control = Volatile.Read(ref *(long*)task);
        sequence = (uint)(control >>> 32);
        if ((int)control != TaskState.Submitted)
        {
            return false;
        }

        // Calls of a task are decided in order, so call N is open exactly while the accept word names N - 1. A worker
        // that read the caller word long ago (descheduled) may hold a sequence number taken back since: comparing
        // for equality with N - 1 (not "not N") keeps it from accepting a stale call once later ones were decided.
        long accept = Volatile.Read(ref *(long*)(task + PoolLayout.OffAccept));
        return (uint)accept == sequence - 1 && Interlocked.CompareExchange(ref *(long*)(task + PoolLayout.OffAccept), sequence, accept) == accept;
    }

    /// <summary>The caller takes its submitted call back before any worker accepted it; false when a worker accepted it (the caller must wait for the answer).</summary>
    public static bool TryWithdraw(byte* task)
    {
        uint sequence = SequenceOf(task);
        long accept = Volatile.Read(ref *(long*)(task + PoolLayout.OffAccept));
        return (uint)accept == sequence - 1 && Interlocked.CompareExchange(ref *(long*)(task + PoolLayout.OffAccept), sequence | PoolLayout.Withdrawn, accept) == accept;
    }

    /// <summary>
    /// Sets a task's words so that <see cref="StateOf"/> reads <paramref name="state"/> for its current call (Dead: the
    /// answer word only, as the host marks a lost enclave's tasks). Off the hot path: tests, and the host's Dead marking.
    /// </summary>
    public static void SetControl(byte* task, int state, int status = 0)
    {
        if (state == TaskState.Dead)
        {
            Interlocked.Exchange(ref *(long*)(task + PoolLayout.OffAnswer), TaskState.Dead);
            return;
        }

        long control = Volatile.Read(ref *(long*)task);
        uint sequence = (uint)(control >>> 32);
        Interlocked.Exchange(ref *(long*)task, ((long)sequence << 32) | (uint)Math.Min(state, TaskState.Submitted));
        if (state > TaskState.Submitted)
        {
            Interlocked.Exchange(ref *(long*)(task + PoolLayout.OffAccept), sequence);
        }
        else if (state == TaskState.Submitted)
        {
            // Not decided yet: the accept word names the call before.
            Interlocked.Exchange(ref *(long*)(task + PoolLayout.OffAccept), sequence - 1);
        }

        if (TaskState.IsAnswered(state))
        {
            int chunk = (int)Volatile.Read(ref *(long*)(task + PoolLayout.OffChunkAck));
            Interlocked.Exchange(ref *(long*)(task + PoolLayout.OffAnswer), Answer(sequence, chunk, state, status));
        }
    }

    public static long Read64(byte* task, int offset) => Volatile.Read(ref *(long*)(task + offset));

    public static void Write64(byte* task, int offset, long value) => Volatile.Write(ref *(long*)(task + offset), value);

    /// <summary>Contract and function id as one 8-byte store.</summary>
    public static void WriteTarget(byte* task, int contract, int function) =>
        Volatile.Write(ref *(long*)(task + PoolLayout.OffContract), (uint)contract | ((long)function << 32));

    public static (int Contract, int Function) ReadTarget(byte* task)
    {
        long target = Volatile.Read(ref *(long*)(task + PoolLayout.OffContract));
        return ((int)target, (int)(target >>> 32));
    }

    /// <summary>Copies <paramref name="source"/> into a task's payload area with 8-byte stores, zero-padding the last word.</summary>
    public static void WritePayload(byte* task, ReadOnlySpan<byte> source)
    {
        ulong* target = (ulong*)(task + PoolLayout.TaskHeaderSize);
        ref byte from = ref MemoryMarshal.GetReference(source);
        int whole = source.Length / 8;
        for (int i = 0; i < whole; i++)
        {
            target[i] = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref from, i * 8));
        }

        int rest = source.Length - (whole * 8);
        if (rest > 0)
        {
            ulong last = 0;
            source[(whole * 8)..].CopyTo(new Span<byte>(&last, 8));
            target[whole] = last;
        }
    }

    /// <summary>
    /// One poll's pause: a few spin cycles, never a yield. Spinning is bounded in time by the caller (the pacer), and
    /// a waiter on an oversubscribed machine parks on a futex instead of handing its core around with sched_yield.
    /// </summary>
    public static void Pause() => Thread.SpinWait(SpinIterations);

    /// <summary>
    /// Spin-wait iterations per poll (one normalised pause, about 35 ns): short, because a poll's pause is what a peer's
    /// store waits on average half of before it is seen, twice per call.
    /// </summary>
    public const int SpinIterations = 1;

    /// <summary>
    /// Polls read the clock when <c>(polls &amp; ClockEvery) == ClockEvery</c>: one poll in sixteen (about half a µs
    /// apart), so a call answered within a few hundred ns reads no clock at all while it waits.
    /// </summary>
    public const int ClockEvery = 15;

    public static ReadOnlySpan<byte> Payload(byte* task, int length) => new(task + PoolLayout.TaskHeaderSize, length);

    /// <summary>
    /// Bumps a signal word and wakes one sleeper, if the sleeper count says any may sleep and no other caller's wake is
    /// already on its way (the wake-pending word, cleared by a worker when it announces sleep).
    /// </summary>
    public void Signal(int signalOffset, int sleepersOffset)
    {
        if (Volatile.Read(ref *Word(sleepersOffset)) != 0 && Interlocked.Exchange(ref *Word(PoolLayout.WakePending(signalOffset)), 1) == 0)
        {
            Interlocked.Increment(ref *Word(signalOffset));
            Futex.WakeOne((int*)Word(signalOffset));
        }
    }

    /// <summary>
    /// Sleeps on a signal word unless <paramref name="hasWork"/> finds work after this side announced itself asleep
    /// (the announcement and the peer's post are both fenced, so no wake-up is lost). Counts the sleep and the wake.
    /// </summary>
    /// <returns>True when the peer signalled (or work was found); false when the sleep timed out with nothing to do.</returns>
    public bool Sleep(int signalOffset, int sleepersOffset, int timeoutMs, Func<bool> hasWork, ref long sleeps, ref long wakes)
    {
        int seen = (int)Volatile.Read(ref *Word(signalOffset));
        Interlocked.Increment(ref *Word(sleepersOffset));

        // Cleared after announcing and before the re-check: a caller that posts later sees a sleeper and no pending
        // wake, so it wakes this worker; one that posted earlier is found by the re-check (or bumped the signal word).
        Interlocked.Exchange(ref *Word(PoolLayout.WakePending(signalOffset)), 0);
        try
        {
            if (hasWork())
            {
                return true;
            }

            Interlocked.Increment(ref sleeps);
            Futex.Wait((int*)Word(signalOffset), seen, timeoutMs);
            Interlocked.Increment(ref wakes);

            // Awake: the next post may wake another sleeper (for work this worker cannot take on while it serves).
            Interlocked.Exchange(ref *Word(PoolLayout.WakePending(signalOffset)), 0);
            return (int)Volatile.Read(ref *Word(signalOffset)) != seen;
        }
        finally
        {
            Interlocked.Decrement(ref *Word(sleepersOffset));
        }
    }

    /// <summary>
    /// Waits while a task is <see cref="TaskState.Submitted"/> or <see cref="TaskState.Accepted"/>: spins for as long as
    /// the pacer says spinning pays (not at all when the CPUs are oversubscribed), then parks on the control word (the
    /// worker wakes a parked caller when it finishes). A task no worker accepted within <paramref name="acceptPolls"/>
    /// polls or <paramref name="acceptTimeoutTicks"/> (negative: no limit) ends the wait in state Submitted: the
    /// caller may take it back and make a regular call. <paramref name="slot"/> is the called function's record slot
    /// (<see cref="SwitchlessPacer.Slot"/>): how long its calls were waited for decides whether to spin at all.
    /// </summary>
    /// <returns>The state that ended the wait; a waiting state when the accept limit passed or <paramref name="giveUp"/> said to stop.</returns>
    /// <remarks>
    /// <c>busyWorkers</c> is null, or <see cref="BusyWorkers"/> of the other side: a task still unaccepted while every
    /// worker served the same calls at two looks <see cref="BusyGraceUs"/> apart ends the wait early (the caller makes a
    /// regular call at once instead of waiting out the fallback timeout behind long calls).
    /// </remarks>
    public static int Await(byte* task, SwitchlessPacer pacer, int slot, int acceptPolls, long acceptTimeoutTicks, int parkMs, Func<bool> giveUp, Func<long>? busyWorkers = null)
    {
        // The clock is first read at the first clock poll: most quick calls are answered before, and read none.
        long start = 0, spin = 0, last = 0, now;
        int state;
        for (int polls = 0; ; polls++)
        {
            // The answer word only (and the caller's own line): the decision line is read only to give up.
            state = AnswerOf(task);
            if (state != TaskState.Accepted)
            {
                if (start == 0)
                {
                    pacer.ObserveQuickWait(slot);
                }
                else
                {
                    pacer.ObserveWait(SwitchlessPacer.Now - start, slot);
                }

                return state;
            }

            if (polls >= acceptPolls && StateOf(task) == TaskState.Submitted)
            {
                return TaskState.Submitted;
            }

            // The clock is read every few polls: a read costs as much as a poll, and the limits it checks are µs apart.
            if ((polls & ClockEvery) != ClockEvery)
            {
                Pause();
                continue;
            }

            now = SwitchlessPacer.Now;
            if (start == 0)
            {
                start = last = now;
                spin = pacer.CallerSpinTicks(now, slot);
            }
            else if (now - last > SwitchlessPacer.GapTicks)
            {
                pacer.NotePreempted(now);
                break;
            }

            if (now - start >= spin)
            {
                break;
            }

            last = now;
            Pause();
        }

        long busyBefore = 0;
        while (true)
        {
            Write64(task, PoolLayout.OffWaiter, PoolLayout.WaiterParked);
            Interlocked.MemoryBarrier();

            // The futex value is read before the state: an answer published after it changes the word, so the wait returns.
            int word = Volatile.Read(ref *AnswerWord(task));
            state = StateOf(task);
            if (state is not (TaskState.Submitted or TaskState.Accepted))
            {
                break;
            }

            if (state == TaskState.Submitted && acceptTimeoutTicks >= 0)
            {
                long left = start + acceptTimeoutTicks - SwitchlessPacer.Now;
                if (left <= 0)
                {
                    break;
                }

                if (busyWorkers is not null)
                {
                    // Every worker busy with the same calls at this look and the previous one (a grace apart): they are
                    // on long calls. Workers that moved on to other tasks are serving a queue: worth waiting for.
                    long busy = busyWorkers();
                    if (busy != 0 && busy == busyBefore)
                    {
                        break;
                    }

                    busyBefore = busy;
                    left = Math.Min(left, BusyGraceTicks);
                }

                Futex.WaitMicroseconds(AnswerWord(task), word, (left / SwitchlessPacer.TicksPerUs) + 1);
            }
            else
            {
                Futex.Wait(AnswerWord(task), word, parkMs);
            }

            state = StateOf(task);
            if (state is not (TaskState.Submitted or TaskState.Accepted) || giveUp())
            {
                break;
            }
        }

        Write64(task, PoolLayout.OffWaiter, PoolLayout.WaiterSpinning);
        if (state is not (TaskState.Submitted or TaskState.Accepted))
        {
            pacer.ObserveWait(SwitchlessPacer.Now - start, slot);
        }

        return state;
    }

    /// <summary>
    /// Two looks this far apart that both find every worker serving the same calls end an unaccepted wait (the workers
    /// are on long calls): well under the default fallback timeout, well over a short call's time.
    /// </summary>
    public const int BusyGraceUs = 100;

    private static readonly long BusyGraceTicks = SwitchlessPacer.MicrosecondsToTicks(BusyGraceUs);

    /// <summary>
    /// Which tasks a side's workers are serving when every worker is serving one: none sleeps, and at least
    /// <paramref name="workers"/> of its tasks are accepted or hold a response chunk. Zero when a worker is free; else a
    /// non-zero signature of the set of busy tasks, so two looks can tell workers stuck on the same calls from workers
    /// that moved on. A hint read off the fast path (it reads every task's control word).
    /// </summary>
    public long BusyWorkers(bool ecalls, int workers, int sleepersOffset)
    {
        if (Volatile.Read(ref *Word(sleepersOffset)) > 0)
        {
            return 0;
        }

        int busy = 0;
        long signature = 0;
        for (int i = 0; i < tasks; i++)
        {
            if (StateOf(ecalls ? EcallTask(i) : OcallTask(i)) is TaskState.Accepted or TaskState.More)
            {
                busy++;
                signature = (signature * 31) + i + 1;
            }
        }

        return busy >= workers ? signature : 0;
    }

    /// <summary>How long a worker waits for its caller to take one chunk of a long response before it drops the rest.</summary>
    public const int ChunkTimeoutMs = 30_000;

    /// <summary>
    /// Writes a worker's answer to call <paramref name="sequence"/> into its task and publishes it (the answer word, on
    /// the worker's own line). A response longer than <paramref name="capacity"/> goes in chunks: each is published as
    /// <see cref="TaskState.More"/> and the worker waits (spinning briefly, then parked on the chunk acknowledgement)
    /// until the caller took it; the last chunk carries <paramref name="state"/>. The call is never repeated and nothing
    /// is truncated.
    /// </summary>
    /// <returns>False when the caller stopped taking chunks (the task was marked Dead or released, <paramref name="stop"/> said so, or <see cref="ChunkTimeoutMs"/> passed): the rest is dropped.</returns>
    /// <remarks><c>deferred</c>: a worker's held-back wakes, which the final answer's wake of a parked asynchronous caller joins (null: woken at once).</remarks>
    public bool Respond(byte* task, uint sequence, int state, int status, ReadOnlySpan<byte> payload, int capacity, int signalOffset, int sleepersOffset, Func<bool> stop, DeferredWakes? deferred = null)
    {
        int chunk = 0;
        while (payload.Length > capacity)
        {
            Publish(task, Answer(sequence, chunk, TaskState.More, 0), payload[..capacity], signalOffset, sleepersOffset, null);
            chunk++;
            if (!AwaitChunkTaken(task, sequence, chunk, stop))
            {
                return false;
            }

            payload = payload[capacity..];
        }

        Publish(task, Answer(sequence, chunk, state, status), payload, signalOffset, sleepersOffset, deferred);
        return true;
    }

    /// <summary>
    /// The caller's half of <see cref="Respond"/>: while the task holds a chunk (<see cref="TaskState.More"/>), copies it
    /// into <paramref name="response"/>, acknowledges it (on the caller's own line) and waits for the next part.
    /// </summary>
    /// <returns>The state of the last part (its payload is still in the task), or a waiting state when <paramref name="giveUp"/> ended the wait.</returns>
    /// <exception cref="MarshalException">A chunk's length is out of range, or the chunks exceed <paramref name="maxTotal"/>.</exception>
    public static int ReceiveChunks(byte* task, int state, int capacity, long maxTotal, IBufferWriter<byte> response, SwitchlessPacer pacer, int slot, int parkMs, Func<bool> giveUp)
    {
        long received = 0;
        while (state == TaskState.More)
        {
            long length = Read64(task, PoolLayout.OffResponseLength);
            if (length <= 0 || length > capacity || received + length > maxTotal)
            {
                throw new MarshalException($"A switchless response chunk declares {length} bytes after {received}; a task holds {capacity} and a response at most {maxTotal}.");
            }

            Payload(task, (int)length).CopyTo(response.GetSpan((int)length));
            response.Advance((int)length);
            received += length;

            // Fenced: the read of the worker's parked flag must not move above the acknowledgement.
            Interlocked.Increment(ref *(long*)(task + PoolLayout.OffChunkAck));
            if (Read64(task, PoolLayout.OffServerParked) != 0)
            {
                Futex.Wake((int*)(task + PoolLayout.OffChunkAck));
            }

            state = Await(task, pacer, slot, int.MaxValue, -1, parkMs, giveUp);
        }

        return state;
    }

    private void Publish(byte* task, long answer, ReadOnlySpan<byte> payload, int signalOffset, int sleepersOffset, DeferredWakes? deferred)
    {
        WritePayload(task, payload);
        Write64(task, PoolLayout.OffResponseLength, payload.Length);

        // A full fence: the read of the caller's waiter flag (in NotifyCaller) must not move above the answer.
        Interlocked.Exchange(ref *(long*)(task + PoolLayout.OffAnswer), answer);
        NotifyCaller(task, signalOffset, sleepersOffset, deferred);
    }

    /// <summary>Waits until the caller took <paramref name="taken"/> chunks of call <paramref name="sequence"/>; false when it will not (it released the task, the host marked it Dead, or the limits passed).</summary>
    private static bool AwaitChunkTaken(byte* task, uint sequence, int taken, Func<bool> stop)
    {
        long start = SwitchlessPacer.Now;
        long spin = SwitchlessPacer.MicrosecondsToTicks(SwitchlessPacer.MaxCallerSpinUs);
        long deadline = SwitchlessPacer.MicrosecondsToTicks(ChunkTimeoutMs * 1000L);
        long* ack = (long*)(task + PoolLayout.OffChunkAck);
        while (true)
        {
            long seen = Volatile.Read(ref *ack);
            if (seen == taken)
            {
                return true;
            }

            long control = Volatile.Read(ref *(long*)task);
            if ((int)control != TaskState.Submitted || (uint)(control >>> 32) != sequence || (Read64(task, PoolLayout.OffAnswer) & 0xFF) == TaskState.Dead)
            {
                return false;
            }

            long waited = SwitchlessPacer.Now - start;
            if (waited > deadline || stop())
            {
                return false;
            }

            if (waited < spin)
            {
                Pause();
                continue;
            }

            Write64(task, PoolLayout.OffServerParked, 1);
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref *ack) == seen)
            {
                Futex.Wait((int*)ack, (int)seen, 100);
            }

            Write64(task, PoolLayout.OffServerParked, 0);
        }
    }

    /// <summary>
    /// A worker about to serve a task passes the baton: when workers of its side sleep and another task is waiting,
    /// it wakes one, so calls posted in a burst (whose callers woke only one worker) are served in parallel.
    /// </summary>
    public void WakeAnotherIfWaiting(int signalOffset, int sleepersOffset, bool ecalls)
    {
        if (Volatile.Read(ref *Word(sleepersOffset)) == 0)
        {
            return;
        }

        for (int i = 0; i < tasks; i++)
        {
            if (StateOf(ecalls ? EcallTask(i) : OcallTask(i)) == TaskState.Submitted)
            {
                Interlocked.Increment(ref *Word(signalOffset));
                Futex.WakeOne((int*)Word(signalOffset));
                return;
            }
        }
    }

    /// <summary>
    /// After a worker finished a task: wake its parked caller (a parked asynchronous caller at the end of the worker's
    /// batch when <paramref name="deferred"/> is given), or the caller's side's workers for an asynchronous one with a
    /// continuation registered.
    /// </summary>
    public void NotifyCaller(byte* task, int signalOffset, int sleepersOffset, DeferredWakes? deferred = null)
    {
        long waiter = Read64(task, PoolLayout.OffWaiter);
        if (waiter == PoolLayout.WaiterParked || (waiter == PoolLayout.WaiterAsyncParked && deferred is null))
        {
            Futex.Wake(AnswerWord(task));
        }
        else if (waiter == PoolLayout.WaiterAsyncParked)
        {
            deferred!.Add(task);
        }
        else if (waiter == PoolLayout.WaiterAsync)
        {
            Signal(signalOffset, sleepersOffset);
        }
    }
}
