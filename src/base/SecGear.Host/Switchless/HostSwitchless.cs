using System.Buffers;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;
using SecGear.Abi;
using SecGear.Switchless;
using SecGear.Transport;

namespace SecGear.Host.Switchless;

/// <summary>
/// The host side of the switchless pool, shared by both engines: posts ECALL tasks (synchronous and asynchronous),
/// runs the untrusted workers that serve switchless OCALLs and complete asynchronous ECALLs, and keeps the counters.
/// A task's response is hostile: its length is checked against this side's inline capacity and the bytes are copied
/// out once. When the enclave is lost or destroyed, <see cref="MarkDead"/> fails every pending call.
/// </summary>
internal sealed unsafe class HostSwitchless : IDisposable
{
    private const int ParkMs = 250;

    /// <summary>Where this thread looks for a free task next (starts spread by thread id).</summary>
    [ThreadStatic]
    private static int t_nextClaim;

    /// <summary>
    /// The longest an awaiting thread parks for a short asynchronous call's answer before the await goes asynchronous
    /// (a continuation registered; the untrusted workers complete it). Short calls are answered well within it.
    /// </summary>
    private const int AsyncParkUs = 500;

    private static readonly long AsyncParkTicks = SwitchlessPacer.MicrosecondsToTicks(AsyncParkUs);

    /// <summary>The least an awaiting thread spins for an asynchronous call's answer while cores are free: what spinning pays.</summary>
    private static readonly long AsyncMinSpinTicks = SwitchlessPacer.MicrosecondsToTicks(SwitchlessPacer.SpinPaysUs);

    private readonly PoolAccess _pool;
    private readonly SwitchlessConfig _config;
    private readonly SafeHandle _memory;
    private readonly Func<int, IOcallHandler?> _handlers;
    private readonly Func<Exception?> _gone;
    private readonly RegularCall? _regular;
    private readonly int _maxPayload;
    private readonly Func<bool> _giveUp;
    private readonly Func<bool> _hasHostWork;
    private readonly Func<bool> _isStopping;
    private readonly Func<int> _sleepMs;
    private readonly Func<long> _busyTrusted;

    /// <summary>Per ECALL task: the asynchronous call waiting for it, or null.</summary>
    private readonly AsyncCall?[] _async;

    /// <summary>Completed asynchronous calls whose result was taken, kept for reuse (no allocation per call).</summary>
    private readonly AsyncCall?[] _spare;
    private readonly Thread[] _workers;
    private readonly SwitchlessCounters _counters;
    private readonly SwitchlessPacer _pacer;
    private readonly long _fallbackTicks;
    private int _asyncPending;
    private int _dead;
    private volatile bool _stopping;

    /// <summary>Makes a regular ECALL (an asynchronous call that no worker accepted in time falls back to it).</summary>
    public delegate void RegularCall(int contract, int function, ReadOnlySpan<byte> request, IBufferWriter<byte> response);

    /// <param name="pool">This side's mapping of the pool.</param>
    /// <param name="memory">Keeps <paramref name="pool"/> mapped; each call and worker holds a reference.</param>
    /// <param name="config">The validated settings.</param>
    /// <param name="counters">The enclave's switchless counters (its name is used in errors).</param>
    /// <param name="handlers">The OCALL handler bound for a contract handle, or null.</param>
    /// <param name="gone">The error every call gets once the enclave is lost or disposed, else null (may check liveness).</param>
    /// <param name="regular">Makes a regular ECALL: the fallback of an asynchronous call not accepted within the timeout (null: such calls wait).</param>
    /// <param name="maxPayload">The largest response accepted (it arrives in chunks when longer than a task).</param>
    public HostSwitchless(
        byte* pool, SafeHandle memory, SwitchlessConfig config, SwitchlessCounters counters, Func<int, IOcallHandler?> handlers, Func<Exception?> gone,
        RegularCall? regular = null, int maxPayload = 64 * 1024 * 1024)
    {
        _pool = new PoolAccess(pool, config.Tasks, config.TaskSize);
        _memory = memory;
        _config = config;
        _pacer = new SwitchlessPacer(config.Adaptive);
        _counters = counters;
        _handlers = handlers;
        _gone = gone;
        _regular = regular;
        _maxPayload = maxPayload;
        _giveUp = () => Volatile.Read(ref _dead) != 0 || _gone() is not null;
        _hasHostWork = HasHostWork;
        _isStopping = () => _stopping;
        _busyTrusted = () => _pool.BusyWorkers(ecalls: true, _config.TrustedWorkers, PoolLayout.OffEnclaveSleepers);
        _fallbackTicks = config.FallbackTimeoutUs < 0 ? -1 : SwitchlessPacer.MicrosecondsToTicks(config.FallbackTimeoutUs);

        // While asynchronous calls are pending, a sleeping untrusted worker wakes in time to check their fallback deadline.
        int deadlineMs = config.FallbackTimeoutUs < 0 || regular is null ? WorkerLoop.IdleSleepMs : (int)Math.Clamp((config.FallbackTimeoutUs + 999) / 1000, 1, WorkerLoop.IdleSleepMs);
        _sleepMs = () => Volatile.Read(ref _asyncPending) > 0 ? deadlineMs : WorkerLoop.IdleSleepMs;
        _async = new AsyncCall?[config.Tasks];
        _spare = new AsyncCall?[config.Tasks];
        _workers = new Thread[config.UntrustedWorkers];
        for (int i = 0; i < _workers.Length; i++)
        {
            int index = i;
            _workers[i] = new Thread(() => Work(index)) { IsBackground = true, Name = $"SecGear switchless untrusted worker {i}" };
        }
    }

    public string EnclaveName => _counters.EnclaveName;

    public SwitchlessStatistics Statistics => _counters.Snapshot(ReadEnclaveSide());

    public void Start()
    {
        foreach (Thread worker in _workers)
        {
            worker.Start();
        }
    }

    /// <summary>
    /// Makes a switchless ECALL. Returns false when the caller must make a regular call instead (request larger than a
    /// task, pool full with rollback on, no trusted worker accepted the task within the fallback timeout, or the
    /// back-off after such a timeout); each reason is counted.
    /// </summary>
    /// <exception cref="SwitchlessPoolFullException">The pool is full and rollback is off.</exception>
    public bool TryCall(int contract, int function, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        if (!MayPost(request.Length, SwitchlessPacer.Slot(contract, function)))
        {
            return false;
        }

        Enter();
        try
        {
            int index = Claim(window: false);
            if (index < 0)
            {
                return false;
            }

            byte* task = _pool.EcallTask(index);
            int slot = SwitchlessPacer.Slot(contract, function);

            // Only a sample of the calls is timed for the slow-call judge: the others read no clock on this path.
            long posted = SwitchlessPacer.TimeThisCall() ? SwitchlessPacer.Now : 0;
            Post(task, contract, function, request, PoolLayout.WaiterSpinning);
            int state = PoolAccess.Await(task, _pacer, slot, _config.RetriesBeforeFallback, _fallbackTicks, ParkMs, _giveUp, _busyTrusted);

            // Only a task still unaccepted is taken back: a CAS on a line the worker now owns would cost a transfer.
            if (state == TaskState.Submitted)
            {
                if (PoolAccess.TryWithdraw(task))
                {
                    PoolAccess.Release(task);
                    _pacer.NoteNotAccepted(SwitchlessPacer.Now);
                    _counters.EcallFallback(SwitchlessFallbackReason.NotAccepted);
                    return false;
                }

                state = PoolAccess.Await(task, _pacer, slot, int.MaxValue, -1, ParkMs, _giveUp);
            }

            _pacer.NoteAccepted();
            if (posted != 0)
            {
                long now = SwitchlessPacer.Now;
                _pacer.ObserveSwitchless(now - posted, now, slot);
            }

            Finish(task, state, response, slot);
            return true;
        }
        finally
        {
            _memory.DangerousRelease();
        }
    }

    /// <summary>The caller made a regular call of <paramref name="function"/> instead of a switchless one (any reason but nesting): it took <paramref name="ticks"/>.</summary>
    public void ObserveRegular(int contract, int function, long ticks) => _pacer.ObserveRegular(ticks, SwitchlessPacer.Slot(contract, function));

    /// <summary>False (and counted) when a call must go the regular way before it touches the pool.</summary>
    private bool MayPost(int requestLength, int slot)
    {
        if (requestLength > _config.InlineCapacity)
        {
            _counters.EcallFallback(SwitchlessFallbackReason.TooLarge);
            return false;
        }

        switch (_pacer.Choose(slot))
        {
            case SwitchlessPath.Switchless:
                return true;
            case SwitchlessPath.Backoff:
                _counters.EcallFallback(SwitchlessFallbackReason.Backoff);
                return false;
            case SwitchlessPath.Slower:
                _counters.EcallFallback(SwitchlessFallbackReason.Slower);
                return false;
            default:
                _counters.EcallFallback(SwitchlessFallbackReason.Sampling);
                return false;
        }
    }

    /// <summary>
    /// Posts a switchless ECALL and returns at once, so that calls posted back to back are served as a batch. The
    /// returned <see cref="ValueTask"/> is backed by a pooled <see cref="IValueTaskSource"/> that the awaiting thread
    /// completes when it finds the answer (or an untrusted worker, once a continuation is registered). A call no worker accepted within the fallback timeout is taken back and made
    /// regularly on the thread pool. Returns null when the caller must make a regular call instead (request larger than
    /// a task, the pacer chose the regular path, or pool full with rollback on).
    /// </summary>
    public ValueTask? TryCallAsync(int contract, int function, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        if (!MayPost(request.Length, SwitchlessPacer.Slot(contract, function)))
        {
            return null;
        }

        Enter();
        int index;
        try
        {
            index = Claim(window: true);
        }
        catch
        {
            _memory.DangerousRelease();
            throw;
        }

        if (index < 0)
        {
            _memory.DangerousRelease();
            return null;
        }

        // No wait here: calls posted back to back are served as a batch while the caller posts the next ones, and the
        // awaiting thread collects the answers (AsyncCall.GetStatus). Spinning for each call's answer before posting the
        // next would serialise them (one round trip per call).
        long posted = SwitchlessPacer.Now;
        Post(_pool.EcallTask(index), contract, function, request, PoolLayout.WaiterAsyncPolled);
        AsyncCall call = RentCall();
        call.Start(index, contract, function, response, posted);
        short version = call.Version;
        Interlocked.Increment(ref _asyncPending);

        // A full fence between publishing the call and reading the dead flag, as MarkDead sets the flag and then reads the calls.
        Interlocked.Exchange(ref _async[index], call);
        if (Volatile.Read(ref _dead) != 0)
        {
            FailAsync(index);
        }

        return new ValueTask(call, version);
    }

    /// <summary>Fails every pending call with the enclave's error and wakes every waiter. Idempotent.</summary>
    public void MarkDead()
    {
        if (Interlocked.Exchange(ref _dead, 1) != 0)
        {
            return;
        }

        bool added = false;
        try
        {
            _memory.DangerousAddRef(ref added);
            for (int i = 0; i < _pool.Tasks; i++)
            {
                foreach (byte* task in (ReadOnlySpan<nint>)[(nint)_pool.EcallTask(i), (nint)_pool.OcallTask(i)])
                {
                    PoolAccess.SetControl(task, TaskState.Dead);
                    Futex.Wake(PoolAccess.AnswerWord(task));
                }
            }
        }
        catch (ObjectDisposedException)
        {
            // Already unmapped: no waiter can be left on it.
        }
        finally
        {
            if (added)
            {
                _memory.DangerousRelease();
            }
        }

        for (int i = 0; i < _async.Length; i++)
        {
            FailAsync(i);
        }
    }

    /// <summary>Fails pending calls, stops the untrusted workers and unregisters the metrics.</summary>
    public void Dispose()
    {
        MarkDead();
        _stopping = true;
        bool added = false;
        try
        {
            _memory.DangerousAddRef(ref added);
            Interlocked.Increment(ref *_pool.Word(PoolLayout.OffHostSignal));
            Futex.Wake((int*)_pool.Word(PoolLayout.OffHostSignal));
        }
        catch (ObjectDisposedException)
        {
            // Unmapped already; the workers notice _stopping within their sleep timeout.
        }
        finally
        {
            if (added)
            {
                _memory.DangerousRelease();
            }
        }

        foreach (Thread worker in _workers)
        {
            if (worker.IsAlive && worker != Thread.CurrentThread)
            {
                worker.Join(2000);
            }
        }
    }

    private void Enter()
    {
        if (Volatile.Read(ref _dead) != 0)
        {
            throw Gone();
        }

        bool added = false;
        try
        {
            _memory.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            throw Gone();
        }
    }

    private Exception Gone() => _gone() ?? new EnclaveDisposedException($"Enclave '{EnclaveName}' was destroyed.");

    private int Claim(bool window)
    {
        // A synchronous caller starts at its own task (the same lines every call); an asynchronous one after its last
        // task, so a window claims consecutive tasks without retrying the ones it holds. A task is read before the CAS:
        // a CAS on a line a worker uses would move it.
        int start = (window && t_nextClaim != 0 ? t_nextClaim : Environment.CurrentManagedThreadId) % _pool.Tasks;
        for (int n = 0; n < _pool.Tasks; n++)
        {
            int index = (start + n) % _pool.Tasks;
            byte* task = _pool.EcallTask(index);
            if (PoolAccess.TryClaim(task))
            {
                t_nextClaim = window ? index + 1 : t_nextClaim;
                return index;
            }
        }

        if (Volatile.Read(ref _dead) != 0)
        {
            throw Gone();
        }

        // Answered asynchronous calls nobody has awaited yet still hold their tasks: complete them and look again.
        if (Harvest())
        {
            for (int n = 0; n < _pool.Tasks; n++)
            {
                int index = (start + n) % _pool.Tasks;
                if (PoolAccess.TryClaim(_pool.EcallTask(index)))
                {
                    return index;
                }
            }
        }

        _counters.PoolFull();
        if (!_config.Rollback)
        {
            throw new SwitchlessPoolFullException(
                $"All {_pool.Tasks} switchless ECALL tasks of enclave '{EnclaveName}' are in use and rollback to a regular call is off (SwitchlessOptions.RollbackToRegularCall).");
        }

        _counters.EcallFallback(SwitchlessFallbackReason.PoolFull);
        return -1;
    }

    private void Post(byte* task, int contract, int function, ReadOnlySpan<byte> request, long waiter)
    {
        PoolAccess.WriteTarget(task, contract, function);
        PoolAccess.Write64(task, PoolLayout.OffRequestLength, request.Length);
        PoolAccess.Write64(task, PoolLayout.OffWaiter, waiter);
        PoolAccess.WritePayload(task, request);
        PoolAccess.Submit(task);
        _pool.Signal(PoolLayout.OffEnclaveSignal, PoolLayout.OffEnclaveSleepers);
    }

    /// <summary>Reads a finished task into <paramref name="response"/> (or throws its error) and frees it.</summary>
    private void Finish(byte* task, int state, IBufferWriter<byte> response, int slot)
    {
        if (state == TaskState.More)
        {
            try
            {
                state = PoolAccess.ReceiveChunks(task, state, _config.InlineCapacity, _maxPayload, response, _pacer, slot, ParkMs, _giveUp);
            }
            catch (MarshalException)
            {
                PoolAccess.Release(task);
                throw;
            }
        }

        if (state is not (TaskState.Done or TaskState.Failed))
        {
            // Lost, destroyed, or a task the enclave left in a state it must not: the task is never reused.
            throw _gone() ?? (Volatile.Read(ref _dead) != 0 ? Gone() : new MarshalException($"The enclave left a switchless task in state {state}."));
        }

        int status = PoolAccess.StatusOf(task);
        long length = PoolAccess.Read64(task, PoolLayout.OffResponseLength);
        if (length < 0 || length > _config.InlineCapacity)
        {
            throw new MarshalException($"A switchless response declares {length} bytes; a task holds {_config.InlineCapacity}.");
        }

        try
        {
            _counters.EcallProcessed();
            ReadOnlySpan<byte> payload = PoolAccess.Payload(task, (int)length);
            if (state == TaskState.Failed)
            {
                throw RemoteError.Decode(status, payload.ToArray()).ToHostException();
            }

            payload.CopyTo(response.GetSpan((int)length));
            response.Advance((int)length);
        }
        finally
        {
            PoolAccess.Release(task);
        }
    }

    /// <summary>Completes an answered asynchronous call whose slot this thread took: reads the task, frees it, then sets the source.</summary>
    private void CompleteAsync(AsyncCall call)
    {
        Interlocked.Decrement(ref _asyncPending);
        Exception? error = null;
        try
        {
            byte* task = _pool.EcallTask(call.Index);
            _pacer.NoteAccepted();
            ObserveAsync(call);
            Finish(task, PoolAccess.StateOf(task), call.Response, call.Slot);
        }
        catch (Exception ex)
        {
            error = ex;
        }
        finally
        {
            _memory.DangerousRelease();
        }

        // Last: once set, the awaiter may take the result and the source may be reused at once.
        call.Complete(error);
    }

    /// <summary>
    /// Takes back an asynchronous call's task that no worker accepted within the fallback timeout (a worker can no
    /// longer accept it), and makes the call regularly on the thread pool. False when a worker accepted it meanwhile.
    /// </summary>
    private bool TryFallback(AsyncCall call)
    {
        byte* task = _pool.EcallTask(call.Index);
        if (_regular is null || !PoolAccess.TryWithdraw(task))
        {
            return false;
        }

        if (Interlocked.CompareExchange(ref _async[call.Index], null, call) != call)
        {
            // Failed by MarkDead meanwhile: the task is Dead and the call completed.
            return true;
        }

        long length = PoolAccess.Read64(task, PoolLayout.OffRequestLength);
        call.TakeRequest(PoolAccess.Payload(task, (int)Math.Clamp(length, 0, _config.InlineCapacity)));
        PoolAccess.Release(task);
        Interlocked.Decrement(ref _asyncPending);
        _memory.DangerousRelease();
        _pacer.NoteNotAccepted(SwitchlessPacer.Now);
        _counters.EcallFallback(SwitchlessFallbackReason.NotAccepted);
        ThreadPool.UnsafeQueueUserWorkItem(call, preferLocal: false);
        return true;
    }

    /// <summary>The regular call of an asynchronous fallback, on a thread-pool thread.</summary>
    private void RunRegular(AsyncCall call, ReadOnlySpan<byte> request)
    {
        long start = SwitchlessPacer.Now;
        _regular!(call.Contract, call.Function, request, call.Response);
        _pacer.ObserveRegular(SwitchlessPacer.Now - start, call.Slot);
    }

    private AsyncCall RentCall()
    {
        for (int i = 0; i < _spare.Length; i++)
        {
            if (Volatile.Read(ref _spare[i]) is not null && Interlocked.Exchange(ref _spare[i], null) is { } call)
            {
                return call;
            }
        }

        return new AsyncCall(this);
    }

    private void ReturnCall(AsyncCall call)
    {
        for (int i = 0; i < _spare.Length; i++)
        {
            if (Volatile.Read(ref _spare[i]) is null && Interlocked.CompareExchange(ref _spare[i], call, null) is null)
            {
                return;
            }
        }
    }

    private void FailAsync(int index)
    {
        AsyncCall? call = Interlocked.Exchange(ref _async[index], null);
        if (call is not null)
        {
            Interlocked.Decrement(ref _asyncPending);
            _memory.DangerousRelease();
            call.Complete(Gone());
        }
    }

    private void Work(int index)
    {
        bool added = false;
        try
        {
            _memory.DangerousAddRef(ref added);
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        try
        {
            WorkerLoop.Run(
                _pool, _pacer, _config, PoolLayout.OffHostSignal, PoolLayout.OffHostSleepers, () => Poll(index), _hasHostWork, _isStopping,
                ref _counters.UntrustedSleeps, ref _counters.UntrustedWakes, _sleepMs);
        }
        finally
        {
            _memory.DangerousRelease();
        }
    }

    /// <summary>
    /// Times an asynchronous call for the pacer by what it cost its caller: the wait from the moment the caller first
    /// looked for the answer (from posting, if it never looked), shared among the calls that were in flight then, which
    /// the enclave served meanwhile. An answer already there cost nothing; a window of calls costs its wait over its
    /// size, which is what a pipelined caller pays per call.
    /// </summary>
    private void ObserveAsync(AsyncCall call)
    {
        long now = SwitchlessPacer.Now;
        long waited = call.LookedAt != 0 ? (now - call.LookedAt) / Math.Max(1, call.InFlightAtLook) : (now - call.Posted) / Math.Max(1, Volatile.Read(ref _asyncPending) + 1);
        _pacer.ObserveSwitchless(waited, now, call.Slot);
        _pacer.ObserveAsyncWait(waited, call.Slot);
    }

    private static void SpinWhilePending(byte* task, long ticks)
    {
        long start = SwitchlessPacer.Now;
        while (PoolAccess.StateOf(task) is TaskState.Submitted or TaskState.Accepted && SwitchlessPacer.Now - start < ticks)
        {
            PoolAccess.Pause();
        }
    }

    /// <summary>
    /// Runs <paramref name="look"/> on a pending call while holding the pool mapping (an await may race with the
    /// enclave's destruction); nothing when the call is no longer pending or the pool is unmapped (the call has been
    /// failed with the enclave's error then).
    /// </summary>
    private void WhilePending(AsyncCall call, Action<HostSwitchless, AsyncCall> look)
    {
        bool added = false;
        try
        {
            _memory.DangerousAddRef(ref added);
            if (Volatile.Read(ref _async[call.Index]) == call)
            {
                look(this, call);
            }
        }
        catch (ObjectDisposedException)
        {
            return;
        }
        finally
        {
            if (added)
            {
                _memory.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// The awaiting thread looks at its pending call: spins while spinning pays (the enclave serves the calls ahead of
    /// it meanwhile), completes it here when the enclave has answered (no worker, no thread hop), and falls back to a
    /// regular call when no worker accepted it within the fallback timeout.
    /// </summary>
    private void TryCompleteHere(AsyncCall call) => WhilePending(call, static (self, call) =>
    {
        byte* task = self._pool.EcallTask(call.Index);
        long now = SwitchlessPacer.Now;
        if (call.LookedAt == 0)
        {
            call.LookedAt = now;
            call.InFlightAtLook = Volatile.Read(ref self._asyncPending);
        }

        // Spin as a synchronous caller would while cores are free: a window of short calls is answered within the
        // spin, and a park costs a futex wake each way (about 20 µs each on the 2-core VM), which capped a window of 16
        // at 0.36 M calls/s. With the CPUs oversubscribed and other calls in flight the worker has a batch to serve on
        // a CPU this thread would take: park at once (woken once, when the batch is done); measured at load 10 on
        // 2 cores: 0.13 → 0.25 M calls/s.
        // While cores are free it spins at least as long as spinning pays even for a function recorded as long: an
        // answer missed here costs a continuation, a worker wake and a thread hop (27-40 µs for an empty call), and
        // that wait, recorded, kept the function "long" and every later awaited call on the slow path.
        bool contended = self._pacer.Contended(now);
        long spin = contended ? self._pacer.CallerSpinTicks(now, call.Slot) : Math.Max(self._pacer.CallerSpinTicks(now, call.Slot), AsyncMinSpinTicks);
        long spinUntil = call.InFlightAtLook > 1 && contended ? now : now + spin;
        int state;
        for (int polls = 0; ; polls++)
        {
            // The answer word only: the decision line is read when the fallback deadline has passed.
            state = PoolAccess.AnswerOf(task);
            if (state != TaskState.Accepted)
            {
                break;
            }

            // The clock is read one poll in sixteen, as in PoolAccess.Await: a read costs as much as a poll.
            if ((polls & PoolAccess.ClockEvery) != 0)
            {
                PoolAccess.Pause();
                continue;
            }

            now = SwitchlessPacer.Now;
            if (self.DeadlinePassed(call, now) && PoolAccess.StateOf(task) == TaskState.Submitted)
            {
                self.TryFallback(call);
                return;
            }

            if (now >= spinUntil)
            {
                break;
            }

            PoolAccess.Pause();
        }

        // Still pending and a short call: park until the worker has served its batch (one wake for the window) rather
        // than register a continuation, which would cost a worker wake and a thread hop per call.
        if (state is TaskState.Submitted or TaskState.Accepted && self._pacer.ShortCall(call.Slot))
        {
            state = self.ParkAsync(task, call);
            if (state == TaskState.Submitted && self.DeadlinePassed(call, SwitchlessPacer.Now))
            {
                self.TryFallback(call);
                return;
            }
        }

        if (TaskState.IsAnswered(state) && Interlocked.CompareExchange(ref self._async[call.Index], null, call) == call)
        {
            self.CompleteAsync(call);
        }
    });

    /// <summary>
    /// Parks the awaiting thread on an asynchronous call's task (<see cref="PoolLayout.WaiterAsyncParked"/>: the trusted
    /// worker wakes it once its batch is served) for at most <see cref="AsyncParkUs"/>, and no longer than the call's
    /// fallback deadline while it is unaccepted.
    /// </summary>
    /// <returns>The state that ended the wait: an answer, or a waiting state when the bound passed.</returns>
    private int ParkAsync(byte* task, AsyncCall call)
    {
        long start = SwitchlessPacer.Now;
        long until = start + AsyncParkTicks;
        int state;
        while (true)
        {
            PoolAccess.Write64(task, PoolLayout.OffWaiter, PoolLayout.WaiterAsyncParked);
            Interlocked.MemoryBarrier();
            int word = Volatile.Read(ref *PoolAccess.AnswerWord(task));
            state = PoolAccess.StateOf(task);
            if (state is not (TaskState.Submitted or TaskState.Accepted) || Volatile.Read(ref _dead) != 0)
            {
                break;
            }

            long now = SwitchlessPacer.Now;
            long end = state == TaskState.Submitted && _regular is not null && _fallbackTicks >= 0 ? Math.Min(until, call.Posted + _fallbackTicks + 1) : until;
            if (now >= end)
            {
                break;
            }

            Futex.WaitMicroseconds(PoolAccess.AnswerWord(task), word, ((end - now) / SwitchlessPacer.TicksPerUs) + 1);
        }

        // Back to "looked at by its caller": a later wake would only be spurious.
        PoolAccess.Write64(task, PoolLayout.OffWaiter, PoolLayout.WaiterAsyncPolled);
        return state;
    }

    /// <summary>
    /// A continuation was registered: from now on the untrusted workers complete the call (the enclave signals them
    /// when it answers a task so marked). Completes it at once when the answer is already there.
    /// </summary>
    private void Register(AsyncCall call) => WhilePending(call, static (self, call) =>
    {
        byte* task = self._pool.EcallTask(call.Index);

        // Store the flag, fence, then read the state: the worker stores the state (fenced) before it reads the flag,
        // so either it sees the flag and signals, or this thread sees the answer.
        PoolAccess.Write64(task, PoolLayout.OffWaiter, PoolLayout.WaiterAsync);
        Interlocked.MemoryBarrier();
        int state = PoolAccess.StateOf(task);
        if (TaskState.IsAnswered(state))
        {
            if (Interlocked.CompareExchange(ref self._async[call.Index], null, call) == call)
            {
                self.CompleteAsync(call);
            }
        }
        else if (state == TaskState.Submitted && self._regular is not null && self._fallbackTicks >= 0)
        {
            // Not accepted yet: an untrusted worker must be awake to take it back at its deadline.
            self._pool.Signal(PoolLayout.OffHostSignal, PoolLayout.OffHostSleepers);
        }
    });

    private bool DeadlinePassed(AsyncCall call, long now) => _regular is not null && _fallbackTicks >= 0 && now - call.Posted > _fallbackTicks;

    /// <summary>Completes the asynchronous calls that have been answered (on the calling thread); true when it completed any.</summary>
    private bool Harvest()
    {
        bool any = false;
        for (int i = 0; i < _async.Length; i++)
        {
            AsyncCall? call = Volatile.Read(ref _async[i]);
            if (call is not null && TaskState.IsAnswered(PoolAccess.StateOf(_pool.EcallTask(i)))
                && Interlocked.CompareExchange(ref _async[i], null, call) == call)
            {
                CompleteAsync(call);
                any = true;
            }
        }

        return any;
    }

    /// <summary>The counters the enclave keeps in the pool header, or zeros once the pool is unmapped.</summary>
    private EnclaveSideCounts ReadEnclaveSide()
    {
        bool added = false;
        try
        {
            _memory.DangerousAddRef(ref added);
            return new EnclaveSideCounts(
                Volatile.Read(ref *_pool.Word(PoolLayout.OffTrustedSleeps)), Volatile.Read(ref *_pool.Word(PoolLayout.OffTrustedWakes)),
                Volatile.Read(ref *_pool.Word(PoolLayout.OffOcallFallbackNotAccepted)), Volatile.Read(ref *_pool.Word(PoolLayout.OffOcallFallbackPoolFull)),
                Volatile.Read(ref *_pool.Word(PoolLayout.OffOcallFallbackTooLarge)), Volatile.Read(ref *_pool.Word(PoolLayout.OffOcallFallbackBackoff)),
                Volatile.Read(ref *_pool.Word(PoolLayout.OffOcallFallbackSlower)), Volatile.Read(ref *_pool.Word(PoolLayout.OffOcallFallbackSampling)));
        }
        catch (ObjectDisposedException)
        {
            // The pool is unmapped (enclave destroyed): the enclave-side counters are no longer readable.
            return default;
        }
        finally
        {
            if (added)
            {
                _memory.DangerousRelease();
            }
        }
    }

    private bool Poll(int worker)
    {
        bool worked = false;
        bool pending = Volatile.Read(ref _asyncPending) > 0;
        long now = pending ? SwitchlessPacer.Now : 0;
        for (int n = 0; n < _pool.Tasks; n++)
        {
            int i = (worker + n) % _pool.Tasks;
            byte* task = _pool.OcallTask(i);
            if (PoolAccess.TryAccept(task, out uint sequence))
            {
                _pool.WakeAnotherIfWaiting(PoolLayout.OffHostSignal, PoolLayout.OffHostSleepers, ecalls: false);
                ServeOcall(task, sequence);
                worked = true;
            }

            if (pending && Volatile.Read(ref _async[i]) is { } call && IsRegistered(i))
            {
                int state = PoolAccess.StateOf(_pool.EcallTask(i));
                if (TaskState.IsAnswered(state))
                {
                    if (Interlocked.CompareExchange(ref _async[i], null, call) == call)
                    {
                        CompleteAsync(call);
                        worked = true;
                    }
                }
                else if (state == TaskState.Submitted && DeadlinePassed(call, now))
                {
                    worked |= TryFallback(call);
                }
            }
        }

        return worked;
    }

    /// <summary>True when the asynchronous call of ECALL task <paramref name="index"/> has a continuation registered (the workers complete it).</summary>
    private bool IsRegistered(int index) => PoolAccess.Read64(_pool.EcallTask(index), PoolLayout.OffWaiter) == PoolLayout.WaiterAsync;

    private bool HasHostWork()
    {
        if (_stopping)
        {
            return true;
        }

        bool pending = Volatile.Read(ref _asyncPending) > 0;
        long now = pending ? SwitchlessPacer.Now : 0;
        for (int i = 0; i < _pool.Tasks; i++)
        {
            if (PoolAccess.StateOf(_pool.OcallTask(i)) == TaskState.Submitted)
            {
                return true;
            }

            if (pending && Volatile.Read(ref _async[i]) is { } call && IsRegistered(i))
            {
                int state = PoolAccess.StateOf(_pool.EcallTask(i));
                if (TaskState.IsAnswered(state) || (state == TaskState.Submitted && DeadlinePassed(call, now)))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private void ServeOcall(byte* task, uint sequence)
    {
        (int contract, int function) = PoolAccess.ReadTarget(task);
        long length = PoolAccess.Read64(task, PoolLayout.OffRequestLength);
        WireBuffer result = WireBuffer.Rent();
        byte[]? request = null;
        int requestLength = 0;
        int state = TaskState.Done;
        int status = 0;
        try
        {
            if (length < 0 || length > _config.InlineCapacity)
            {
                throw new MarshalException($"A switchless OCALL task declares {length} request bytes; a task holds {_config.InlineCapacity}.");
            }

            requestLength = (int)length;
            request = ArrayPool<byte>.Shared.Rent(requestLength);
            PoolAccess.Payload(task, requestLength).CopyTo(request);
            IOcallHandler handler = _handlers(contract)
                ?? throw new CallNotAllowedException($"The host bound no OCALL handler for contract handle {contract}.");
            handler.Dispatch(function, request.AsSpan(0, requestLength), result);

            // A response longer than a task goes back in chunks (PoolAccess.Respond).
            if (result.WrittenCount > _maxPayload)
            {
                throw new PayloadTooLargeException($"The switchless OCALL's response is {result.WrittenCount} bytes; the limit is {_maxPayload} (EnclaveOptions.MaxPayloadBytes).");
            }
        }
        catch (Exception ex)
        {
            // Whatever the handler throws goes back to the enclave as an error record; the worker keeps running.
            RemoteError error = RemoteError.From(ex, includeStackTrace: false);
            result.Clear();
            error.Encode(result);
            if (result.WrittenCount > _config.InlineCapacity)
            {
                result.Clear();
                new RemoteError(error.Status, error.Type, "The error message does not fit a switchless task.").Encode(result);
            }

            state = TaskState.Failed;
            status = (int)error.Status;
        }

        try
        {
            // Counted before the result is published: a caller that sees it may read the counters at once.
            _counters.OcallProcessed();
            _pool.Respond(task, sequence, state, status, result.WrittenSpan, _config.InlineCapacity, PoolLayout.OffEnclaveSignal, PoolLayout.OffEnclaveSleepers, _isStopping);
        }
        finally
        {
            if (request is not null)
            {
                request.AsSpan(0, requestLength).Clear();
                ArrayPool<byte>.Shared.Return(request);
            }

            result.Return();
        }
    }

    /// <summary>
    /// One asynchronous call, reused for later calls once its result was taken (<see cref="GetResult"/>). Its status
    /// check lets the awaiting thread complete it; registering a continuation hands it to the untrusted workers
    /// (continuations then run on the thread pool). As a work item it makes the regular call of a fallback.
    /// </summary>
    private sealed class AsyncCall(HostSwitchless owner) : IValueTaskSource, IThreadPoolWorkItem
    {
        private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
        private byte[]? _request;
        private int _requestLength;

        public int Index { get; private set; }

        public int Contract { get; private set; }

        public int Function { get; private set; }

        public IBufferWriter<byte> Response { get; private set; } = null!;

        public long Posted { get; private set; }

        /// <summary>When the caller first looked for the answer (0: not yet).</summary>
        public long LookedAt { get; set; }

        /// <summary>Asynchronous calls in flight when the caller first looked (this one included).</summary>
        public int InFlightAtLook { get; set; }

        /// <summary>The called function's record slot in the pacer.</summary>
        public int Slot => SwitchlessPacer.Slot(Contract, Function);

        public short Version => _core.Version;

        public void Start(int index, int contract, int function, IBufferWriter<byte> response, long posted)
        {
            _core.Reset();
            (Index, Contract, Function, Response, Posted, LookedAt, InFlightAtLook) = (index, contract, function, response, posted, 0, 0);
        }

        /// <summary>Keeps a copy of the request for the regular call of a fallback.</summary>
        public void TakeRequest(ReadOnlySpan<byte> request)
        {
            _requestLength = request.Length;
            _request = ArrayPool<byte>.Shared.Rent(Math.Max(1, request.Length));
            request.CopyTo(_request);
        }

        public void Complete(Exception? error)
        {
            if (error is null)
            {
                _core.SetResult(true);
            }
            else
            {
                _core.SetException(error);
            }
        }

        public ValueTaskSourceStatus GetStatus(short token)
        {
            ValueTaskSourceStatus status = _core.GetStatus(token);
            if (status != ValueTaskSourceStatus.Pending)
            {
                return status;
            }

            owner.TryCompleteHere(this);
            return _core.GetStatus(token);
        }

        public void GetResult(short token)
        {
            if (token != _core.Version)
            {
                throw new InvalidOperationException("This switchless call's ValueTask was awaited already: await it once.");
            }

            try
            {
                _core.GetResult(token);
            }
            finally
            {
                Response = null!;
                owner.ReturnCall(this);
            }
        }

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        {
            _core.OnCompleted(continuation, state, token, flags);
            owner.Register(this);
        }

        void IThreadPoolWorkItem.Execute()
        {
            Exception? error = null;
            byte[] request = _request!;
            try
            {
                owner.RunRegular(this, request.AsSpan(0, _requestLength));
            }
            catch (Exception ex)
            {
                error = ex;
            }
            finally
            {
                request.AsSpan(0, _requestLength).Clear();
                ArrayPool<byte>.Shared.Return(request);
                _request = null;
            }

            Complete(error);
        }
    }
}
