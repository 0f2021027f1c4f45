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

    /// <summary>The longest an await of a pending asynchronous call spins for its result before it lets a worker complete it.</summary>
    private const int AwaitSpinUs = 5;

    private readonly PoolAccess _pool;
    private readonly SwitchlessConfig _config;
    private readonly SafeHandle _memory;
    private readonly Func<int, IOcallHandler?> _handlers;
    private readonly Func<Exception?> _gone;
    private readonly Func<bool> _giveUp;
    private readonly Func<bool> _hasHostWork;
    private readonly Func<bool> _isStopping;
    private readonly AsyncCall?[] _async;
    private readonly Thread[] _workers;
    private readonly SwitchlessCounters _counters;
    private readonly SwitchlessPacer _pacer;
    private readonly long _fallbackTicks;
    private int _asyncPending;
    private int _dead;
    private volatile bool _stopping;

    /// <param name="pool">This side's mapping of the pool.</param>
    /// <param name="memory">Keeps <paramref name="pool"/> mapped; each call and worker holds a reference.</param>
    /// <param name="config">The validated settings.</param>
    /// <param name="counters">The enclave's switchless counters (its name is used in errors).</param>
    /// <param name="handlers">The OCALL handler bound for a contract handle, or null.</param>
    /// <param name="gone">The error every call gets once the enclave is lost or disposed, else null (may check liveness).</param>
    public HostSwitchless(byte* pool, SafeHandle memory, SwitchlessConfig config, SwitchlessCounters counters, Func<int, IOcallHandler?> handlers, Func<Exception?> gone)
    {
        _pool = new PoolAccess(pool, config.Tasks, config.TaskSize);
        _memory = memory;
        _config = config;
        _pacer = new SwitchlessPacer(config.Adaptive);
        _counters = counters;
        _handlers = handlers;
        _gone = gone;
        _giveUp = () => Volatile.Read(ref _dead) != 0 || _gone() is not null;
        _hasHostWork = HasHostWork;
        _isStopping = () => _stopping;
        _fallbackTicks = config.FallbackTimeoutUs < 0 ? -1 : SwitchlessPacer.MicrosecondsToTicks(config.FallbackTimeoutUs);
        _async = new AsyncCall?[config.Tasks];
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
        if (!MayPost(request.Length))
        {
            return false;
        }

        Enter();
        try
        {
            int index = Claim();
            if (index < 0)
            {
                return false;
            }

            byte* task = _pool.EcallTask(index);
            long posted = SwitchlessPacer.Now;
            Post(task, contract, function, request, PoolLayout.WaiterSpinning);
            int state = PoolAccess.Await(task, _pacer, _config.RetriesBeforeFallback, _fallbackTicks, ParkMs, _giveUp);

            // Only a task still unaccepted is taken back: a CAS on a line the worker now owns would cost a transfer.
            if (state == TaskState.Submitted)
            {
                if (PoolAccess.TryTransition(task, TaskState.Submitted, TaskState.Free))
                {
                    _pacer.NoteNotAccepted(SwitchlessPacer.Now);
                    _counters.EcallFallback(SwitchlessFallbackReason.NotAccepted);
                    return false;
                }

                state = PoolAccess.Await(task, _pacer, int.MaxValue, -1, ParkMs, _giveUp);
            }

            _pacer.NoteAccepted();
            long now = SwitchlessPacer.Now;
            _pacer.ObserveSwitchless(now - posted, now);
            Finish(task, state, response);
            return true;
        }
        finally
        {
            _memory.DangerousRelease();
        }
    }

    /// <summary>The caller made a regular call instead of a switchless one (any reason but nesting): it took <paramref name="ticks"/>.</summary>
    public void ObserveRegular(long ticks) => _pacer.ObserveRegular(ticks);

    /// <summary>False (and counted) when a call must go the regular way before it touches the pool.</summary>
    private bool MayPost(int requestLength, bool alone = true)
    {
        if (requestLength > _config.InlineCapacity)
        {
            _counters.EcallFallback(SwitchlessFallbackReason.TooLarge);
            return false;
        }

        switch (_pacer.Choose(SwitchlessPacer.Now, alone))
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
    /// Posts a switchless ECALL and returns at once; an untrusted worker completes the task when the enclave answers.
    /// Returns null when the caller must make a regular call instead (request larger than a task, or pool full with
    /// rollback on).
    /// </summary>
    public ValueTask? TryCallAsync(int contract, int function, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        if (!MayPost(request.Length, alone: Volatile.Read(ref _asyncPending) == 0))
        {
            return null;
        }

        Enter();
        int index;
        try
        {
            index = Claim();
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

        byte* task = _pool.EcallTask(index);
        long posted = SwitchlessPacer.Now;
        bool solo = Volatile.Read(ref _asyncPending) == 0;
        Post(task, contract, function, request, PoolLayout.WaiterAsync);

        // Calls posted earlier that have finished are completed here, on the caller's thread, so a caller that keeps
        // many in flight finds them done when it awaits them (no worker, no thread hop). A call posted with nothing
        // else in flight spins briefly for its own result and completes inline when the enclave answers in time.
        if (!solo)
        {
            Harvest();
        }
        else
        {
            SpinWhilePending(task, _pacer.CallerSpinTicks(posted));
        }

        var call = new AsyncCall(this, index, response, posted, solo);
        Interlocked.Increment(ref _asyncPending);
        Volatile.Write(ref _async[index], call);

        // Re-checked after registering: a task that finished before the registration would not be seen by a worker
        // that was woken (and went back to sleep) before it could find the waiter.
        if (PoolAccess.StateOf(task) is TaskState.Done or TaskState.Failed or TaskState.Dead
            && Interlocked.CompareExchange(ref _async[index], null, call) == call)
        {
            Interlocked.Decrement(ref _asyncPending);
            try
            {
                ObserveAsync(call);
                Finish(task, PoolAccess.StateOf(task), response);
                return ValueTask.CompletedTask;
            }
            catch (Exception ex)
            {
                return ValueTask.FromException(ex);
            }
            finally
            {
                _memory.DangerousRelease();
            }
        }

        if (Volatile.Read(ref _dead) != 0)
        {
            FailAsync(index);
        }

        return new ValueTask(call, 0);
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
                    Futex.Wake((int*)task);
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

    private int Claim()
    {
        int start = Environment.CurrentManagedThreadId % _pool.Tasks;
        for (int n = 0; n < _pool.Tasks; n++)
        {
            int index = (start + n) % _pool.Tasks;
            if (PoolAccess.TryTransition(_pool.EcallTask(index), TaskState.Free, TaskState.Claimed))
            {
                return index;
            }
        }

        if (Volatile.Read(ref _dead) != 0)
        {
            throw Gone();
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
        PoolAccess.Write64(task, PoolLayout.OffResponseLength, 0);
        PoolAccess.Write64(task, PoolLayout.OffWaiter, waiter);
        PoolAccess.WritePayload(task, request);
        PoolAccess.SetControl(task, TaskState.Submitted);
        _pool.Signal(PoolLayout.OffEnclaveSignal, PoolLayout.OffEnclaveSleepers);
    }

    /// <summary>Reads a finished task into <paramref name="response"/> (or throws its error) and frees it.</summary>
    private void Finish(byte* task, int state, IBufferWriter<byte> response)
    {
        if (state is not (TaskState.Done or TaskState.Failed))
        {
            // Lost, destroyed, or a task the enclave left in a state it must not: the task is never reused.
            throw _gone() ?? (Volatile.Read(ref _dead) != 0 ? Gone() : new MarshalException($"The enclave left a switchless task in state {state}."));
        }

        long control = PoolAccess.ReadControl(task);
        long length = PoolAccess.Read64(task, PoolLayout.OffResponseLength);
        if (length < 0 || length > _config.InlineCapacity)
        {
            throw new MarshalException($"A switchless response declares {length} bytes; a task holds {_config.InlineCapacity}.");
        }

        try
        {
            _counters.EcallProcessed();
            ReadOnlySpan<byte> payload = PoolAccess.Payload(task, (int)length);
            if ((int)control == TaskState.Failed)
            {
                throw RemoteError.Decode((int)(control >>> 32), payload.ToArray()).ToHostException();
            }

            payload.CopyTo(response.GetSpan((int)length));
            response.Advance((int)length);
        }
        finally
        {
            PoolAccess.SetControl(task, TaskState.Free);
        }
    }

    private void CompleteAsync(int index, AsyncCall call)
    {
        Interlocked.Decrement(ref _asyncPending);
        try
        {
            ObserveAsync(call);
            Finish(_pool.EcallTask(index), PoolAccess.StateOf(_pool.EcallTask(index)), call.Response);
            call.SetResult();
        }
        catch (Exception ex)
        {
            call.SetException(ex);
        }
        finally
        {
            _memory.DangerousRelease();
        }
    }

    private void FailAsync(int index)
    {
        AsyncCall? call = Interlocked.Exchange(ref _async[index], null);
        if (call is not null)
        {
            Interlocked.Decrement(ref _asyncPending);
            call.SetException(Gone());
            _memory.DangerousRelease();
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
                ref _counters.UntrustedSleeps, ref _counters.UntrustedWakes);
        }
        finally
        {
            _memory.DangerousRelease();
        }
    }

    /// <summary>An asynchronous call posted with nothing else in flight is timed like a synchronous one, for the pacer.</summary>
    private void ObserveAsync(AsyncCall call)
    {
        if (call.Solo)
        {
            long now = SwitchlessPacer.Now;
            _pacer.ObserveSwitchless(now - call.Posted, now);
        }
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
    /// Completes a pending asynchronous call on the thread that awaits it, when its task has finished (or finishes
    /// within a short spin while spinning pays): no worker and no thread hop.
    /// </summary>
    private void TryCompleteHere(int index, AsyncCall call)
    {
        // The await may race with the enclave's destruction: hold the mapping while looking at the task.
        bool added = false;
        try
        {
            _memory.DangerousAddRef(ref added);
            if (Volatile.Read(ref _async[index]) != call)
            {
                return;
            }

            byte* task = _pool.EcallTask(index);
            SpinWhilePending(task, Math.Min(_pacer.CallerSpinTicks(SwitchlessPacer.Now), SwitchlessPacer.MicrosecondsToTicks(AwaitSpinUs)));
            if (PoolAccess.StateOf(task) is TaskState.Done or TaskState.Failed && Interlocked.CompareExchange(ref _async[index], null, call) == call)
            {
                CompleteAsync(index, call);
            }
        }
        catch (ObjectDisposedException)
        {
            // Unmapped: the call has been failed with the enclave's error already.
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

    /// <summary>Completes the asynchronous calls that have finished (on the calling thread).</summary>
    private void Harvest()
    {
        for (int i = 0; i < _async.Length; i++)
        {
            AsyncCall? call = Volatile.Read(ref _async[i]);
            if (call is not null && PoolAccess.StateOf(_pool.EcallTask(i)) is TaskState.Done or TaskState.Failed
                && Interlocked.CompareExchange(ref _async[i], null, call) == call)
            {
                CompleteAsync(i, call);
            }
        }
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
        for (int n = 0; n < _pool.Tasks; n++)
        {
            int i = (worker + n) % _pool.Tasks;
            byte* task = _pool.OcallTask(i);
            if (PoolAccess.StateOf(task) == TaskState.Submitted && PoolAccess.TryTransition(task, TaskState.Submitted, TaskState.Accepted))
            {
                ServeOcall(task);
                worked = true;
            }

            AsyncCall? call = Volatile.Read(ref _async[i]);
            if (call is not null && PoolAccess.StateOf(_pool.EcallTask(i)) is TaskState.Done or TaskState.Failed
                && Interlocked.CompareExchange(ref _async[i], null, call) == call)
            {
                CompleteAsync(i, call);
                worked = true;
            }
        }

        return worked;
    }

    private bool HasHostWork()
    {
        if (_stopping)
        {
            return true;
        }

        for (int i = 0; i < _pool.Tasks; i++)
        {
            if (PoolAccess.StateOf(_pool.OcallTask(i)) == TaskState.Submitted
                || (Volatile.Read(ref _async[i]) is not null && PoolAccess.StateOf(_pool.EcallTask(i)) is TaskState.Done or TaskState.Failed))
            {
                return true;
            }
        }

        return false;
    }

    private void ServeOcall(byte* task)
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
            if (result.WrittenCount > _config.InlineCapacity)
            {
                throw new PayloadTooLargeException(
                    $"The switchless OCALL's response is {result.WrittenCount} bytes; a task holds at most {_config.InlineCapacity} (SwitchlessOptions.MaxInlinePayload).");
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
            PoolAccess.WritePayload(task, result.WrittenSpan);
            PoolAccess.Write64(task, PoolLayout.OffResponseLength, result.WrittenCount);

            // Counted before the result is published: a caller that sees it may read the counters at once.
            _counters.OcallProcessed();
            PoolAccess.SetControl(task, state, status);
            _pool.NotifyCaller(task, PoolLayout.OffEnclaveSignal, PoolLayout.OffEnclaveSleepers);
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
    /// One pending asynchronous call. Its status check completes it on the awaiting thread when the enclave has
    /// answered; otherwise the untrusted workers complete it (continuations then run on the thread pool).
    /// </summary>
    private sealed class AsyncCall(HostSwitchless owner, int index, IBufferWriter<byte> response, long posted, bool solo) : IValueTaskSource
    {
        private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };

        public IBufferWriter<byte> Response => response;

        public long Posted => posted;

        public bool Solo => solo;

        public void SetResult() => _core.SetResult(true);

        public void SetException(Exception error) => _core.SetException(error);

        public ValueTaskSourceStatus GetStatus(short token)
        {
            ValueTaskSourceStatus status = _core.GetStatus(token);
            if (status != ValueTaskSourceStatus.Pending)
            {
                return status;
            }

            owner.TryCompleteHere(index, this);
            return _core.GetStatus(token);
        }

        public void GetResult(short token) => _core.GetResult(token);

        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);
    }
}
