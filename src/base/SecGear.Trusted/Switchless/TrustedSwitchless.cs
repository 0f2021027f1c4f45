using System.Buffers;
using SecGear.Abi;
using SecGear.Switchless;
using SecGear.Transport;
using SecGear.Trusted.Runtime;

namespace SecGear.Trusted.Switchless;

/// <summary>
/// The enclave side of the switchless pool: trusted workers that poll the ECALL tasks and run them through the
/// runtime, and the posting of switchless OCALLs into the OCALL tasks. Everything read from the pool is hostile:
/// a task is served only after this side's own compare-and-swap accepted it, its header is read once, lengths are
/// checked against this side's own inline capacity, and the request is copied into private memory before dispatch.
/// </summary>
internal sealed unsafe class TrustedSwitchless : IDisposable
{
    private const int ParkMs = 250;

    [ThreadStatic]
    private static TrustedSwitchless? t_worker;

    private readonly PoolAccess _pool;
    private readonly SwitchlessConfig _config;
    private readonly EnclaveRuntime _runtime;
    private readonly Action<string> _warn;
    private readonly Thread[] _workers;

    /// <summary>Per worker: its held-back wakes of parked asynchronous callers, issued when its batch is served.</summary>
    private readonly DeferredWakes[] _deferred;

    /// <summary>
    /// Per worker: its last batch was awaited by parked asynchronous callers. Nobody is about to post then (the callers
    /// are waking up), so the worker sleeps right after the batch instead of polling 200 µs on a CPU they need; the
    /// next window's first post wakes it (one wake per window). Measured at load 8.5 on 2 cores: 0.39 → 0.42 M calls/s.
    /// </summary>
    private readonly bool[] _parkedBatch;
    private readonly Func<bool> _hasEcall;
    private readonly Func<bool> _isStopping;
    private readonly Func<long> _busyUntrusted;
    private readonly SwitchlessPacer _pacer;
    private readonly long _fallbackTicks;
    private volatile bool _stopping;

    public TrustedSwitchless(byte* pool, SwitchlessConfig config, EnclaveRuntime runtime, Action<string> warn)
    {
        _pool = new PoolAccess(pool, config.Tasks, config.TaskSize);
        _config = config;
        _pacer = new SwitchlessPacer(config.Adaptive);
        _runtime = runtime;
        _warn = warn;
        _hasEcall = HasSubmittedEcall;
        _isStopping = () => _stopping;
        _busyUntrusted = () => _pool.BusyWorkers(ecalls: false, _config.UntrustedWorkers, PoolLayout.OffHostSleepers);
        _fallbackTicks = config.FallbackTimeoutUs < 0 ? -1 : SwitchlessPacer.MicrosecondsToTicks(config.FallbackTimeoutUs);
        _workers = new Thread[config.TrustedWorkers];
        _deferred = new DeferredWakes[config.TrustedWorkers];
        _parkedBatch = new bool[config.TrustedWorkers];
        for (int i = 0; i < _workers.Length; i++)
        {
            int index = i;
            _deferred[i] = new DeferredWakes(config.Tasks);
            _workers[i] = new Thread(() => Work(index), maxStackSize: 1024 * 1024) { IsBackground = true, Name = $"switchless trusted worker {i}" };
        }
    }

    /// <summary>True when the current thread is one of this pool's trusted workers (it has no slot for regular OCALLs).</summary>
    public bool IsWorkerThread => ReferenceEquals(t_worker, this);

    public void Start()
    {
        foreach (Thread worker in _workers)
        {
            worker.Start();
        }
    }

    /// <summary>Stops the workers (in-process engine; the runner simply exits).</summary>
    public void Dispose()
    {
        _stopping = true;
        Interlocked.Increment(ref *_pool.Word(PoolLayout.OffEnclaveSignal));
        Futex.Wake((int*)_pool.Word(PoolLayout.OffEnclaveSignal));
        foreach (Thread worker in _workers)
        {
            if (worker.IsAlive && worker != Thread.CurrentThread)
            {
                worker.Join(2000);
            }
        }
    }

    /// <summary>
    /// Posts an OCALL into the pool and waits for the untrusted worker's answer. Returns false when the caller should
    /// make a regular OCALL instead (only when <paramref name="canFallback"/>): the request does not fit a task, the
    /// pool is full and rollback is on, no untrusted worker accepted the task within the fallback timeout, or a recent
    /// such timeout put this side in its back-off period. Each reason is counted in the pool header for the host.
    /// A caller that cannot fall back (a trusted worker: it has no slot) waits for a free task and its answer instead.
    /// </summary>
    public bool TryOcall(int contract, FunctionDescriptor function, ReadOnlySpan<byte> request, IBufferWriter<byte> response, bool canFallback)
    {
        if (request.Length > _config.InlineCapacity)
        {
            return canFallback ? Count(PoolLayout.OffOcallFallbackTooLarge) : throw new PayloadTooLargeException(
                $"OCALL '{function.Name}' from a switchless worker carries {request.Length} bytes; a task holds at most {_config.InlineCapacity} (SwitchlessOptions.MaxInlinePayload).");
        }

        if (canFallback)
        {
            switch (_pacer.Choose(SwitchlessPacer.Slot(contract, function.Id)))
            {
                case SwitchlessPath.Backoff:
                    return Count(PoolLayout.OffOcallFallbackBackoff);
                case SwitchlessPath.Slower:
                    return Count(PoolLayout.OffOcallFallbackSlower);
                case SwitchlessPath.Sampling:
                    return Count(PoolLayout.OffOcallFallbackSampling);
            }
        }

        byte* task = ClaimOcallTask(canFallback, function.Name, out bool full);
        if (full)
        {
            return Count(PoolLayout.OffOcallFallbackPoolFull);
        }

        int slot = SwitchlessPacer.Slot(contract, function.Id);
        PoolAccess.WriteTarget(task, contract, function.Id);
        PoolAccess.Write64(task, PoolLayout.OffRequestLength, request.Length);
        PoolAccess.Write64(task, PoolLayout.OffWaiter, PoolLayout.WaiterSpinning);
        PoolAccess.WritePayload(task, request);
        long posted = SwitchlessPacer.TimeThisCall() ? SwitchlessPacer.Now : 0;
        PoolAccess.Submit(task);
        _pool.Signal(PoolLayout.OffHostSignal, PoolLayout.OffHostSleepers);

        int state = canFallback
            ? PoolAccess.Await(task, _pacer, slot, _config.RetriesBeforeFallback, _fallbackTicks, ParkMs, static () => false, _busyUntrusted)
            : PoolAccess.Await(task, _pacer, slot, int.MaxValue, -1, ParkMs, static () => false);
        if (state == TaskState.Submitted)
        {
            if (PoolAccess.TryWithdraw(task))
            {
                PoolAccess.Release(task);
                _pacer.NoteNotAccepted(SwitchlessPacer.Now);
                return Count(PoolLayout.OffOcallFallbackNotAccepted);
            }

            // A worker accepted it after all: wait for the answer without a limit.
            state = PoolAccess.Await(task, _pacer, slot, int.MaxValue, -1, ParkMs, static () => false);
        }

        _pacer.NoteAccepted();
        if (posted != 0)
        {
            long now = SwitchlessPacer.Now;
            _pacer.ObserveSwitchless(now - posted, now, slot);
        }

        try
        {
            // A response longer than a task arrives in chunks, straight into the caller's buffer.
            state = PoolAccess.ReceiveChunks(task, state, _config.InlineCapacity, _runtime.Options.MaxPayloadBytes, response, _pacer, slot, ParkMs, static () => false);
        }
        catch
        {
            PoolAccess.Release(task);
            throw;
        }

        int status = PoolAccess.StatusOf(task);
        long length = PoolAccess.Read64(task, PoolLayout.OffResponseLength);
        if (state is not (TaskState.Done or TaskState.Failed))
        {
            throw new MarshalException($"OCALL '{function.Name}': the host left its switchless task in state {state}.");
        }

        try
        {
            if (length < 0 || length > _config.InlineCapacity)
            {
                throw new MarshalException($"OCALL '{function.Name}': the host's switchless response declares {length} bytes; a task holds {_config.InlineCapacity}.");
            }

            // Copy out before looking at it: the host may rewrite the task at any time.
            byte[] copy = PoolAccess.Payload(task, (int)length).ToArray();
            if (state == TaskState.Failed)
            {
                throw RemoteError.Decode(status, copy).ToEnclaveException(function.Name);
            }

            copy.CopyTo(response.GetSpan(copy.Length));
            response.Advance(copy.Length);
            return true;
        }
        finally
        {
            PoolAccess.Release(task);
        }
    }

    /// <summary>The caller made a regular OCALL of <paramref name="function"/> instead of a switchless one: it took <paramref name="ticks"/>.</summary>
    public void ObserveRegular(int contract, int function, long ticks) => _pacer.ObserveRegular(ticks, SwitchlessPacer.Slot(contract, function));

    /// <summary>Counts a switchless OCALL made as a regular call (a statistics word of the pool header) and returns false.</summary>
    private bool Count(int offset)
    {
        Interlocked.Increment(ref *_pool.Word(offset));
        return false;
    }

    private byte* ClaimOcallTask(bool canFallback, string name, out bool full)
    {
        full = false;
        int start = Environment.CurrentManagedThreadId % _pool.Tasks;
        for (int round = 0; ; round++)
        {
            for (int n = 0; n < _pool.Tasks; n++)
            {
                byte* task = _pool.OcallTask((start + n) % _pool.Tasks);
                if (PoolAccess.TryClaim(task))
                {
                    return task;
                }
            }

            if (canFallback)
            {
                if (_config.Rollback)
                {
                    full = true;
                    return null;
                }

                throw new SwitchlessPoolFullException($"All {_pool.Tasks} switchless OCALL tasks are in use (OCALL '{name}'); rollback to a regular call is off.");
            }

            // A trusted worker has no slot for a regular OCALL: it waits for the host to free a task.
            if (round < 100)
            {
                Thread.Yield();
            }
            else
            {
                Thread.Sleep(1);
            }
        }
    }

    private void Work(int index)
    {
        t_worker = this;
        if (!ThreadAffinity.TrySet(_config.TrustedAffinity))
        {
            _warn($"switchless trusted worker {index}: sched_setaffinity to CPUs {string.Join(",", _config.TrustedAffinity)} failed; the worker runs unpinned.");
        }

        WorkerLoop.Run(
            _pool, _pacer, _config, PoolLayout.OffEnclaveSignal, PoolLayout.OffEnclaveSleepers, () => Poll(index), _hasEcall, _isStopping,
            ref *_pool.Word(PoolLayout.OffTrustedSleeps), ref *_pool.Word(PoolLayout.OffTrustedWakes), sleepNow: () => TakeParkedBatch(index));
    }

    /// <summary>True (once) when the worker's last batch was awaited by parked asynchronous callers.</summary>
    private bool TakeParkedBatch(int worker)
    {
        bool parked = _parkedBatch[worker];
        _parkedBatch[worker] = false;
        return parked;
    }

    private bool Poll(int worker)
    {
        bool served = false;
        DeferredWakes deferred = _deferred[worker];
        for (int n = 0; n < _pool.Tasks; n++)
        {
            byte* task = _pool.EcallTask((worker + n) % _pool.Tasks);
            if (PoolAccess.TryAccept(task, out uint sequence))
            {
                _pool.WakeAnotherIfWaiting(PoolLayout.OffEnclaveSignal, PoolLayout.OffEnclaveSleepers, ecalls: true);
                deferred.FlushIfOld();
                Serve(task, sequence, deferred);
                served = true;
            }
        }

        // The batch is served: wake the asynchronous callers that parked on it, once each.
        if (deferred.Count != 0)
        {
            _parkedBatch[worker] = true;
        }

        deferred.Flush();
        return served;
    }

    private bool HasSubmittedEcall()
    {
        if (_stopping)
        {
            return true;
        }

        for (int i = 0; i < _pool.Tasks; i++)
        {
            if (PoolAccess.StateOf(_pool.EcallTask(i)) == TaskState.Submitted)
            {
                return true;
            }
        }

        return false;
    }

    private void Serve(byte* task, uint sequence, DeferredWakes deferred)
    {
        // Read the header once; every value is the host's and is checked before use.
        (int contract, int function) = PoolAccess.ReadTarget(task);
        long length = PoolAccess.Read64(task, PoolLayout.OffRequestLength);
        byte[]? request = null;
        WireBuffer response = WireBuffer.Rent();
        int requestLength = 0;
        try
        {
            if (length < 0 || length > _config.InlineCapacity)
            {
                throw new MarshalException($"A switchless ECALL task declares {length} request bytes; a task holds {_config.InlineCapacity}.");
            }

            requestLength = (int)length;
            if (requestLength > 0)
            {
                request = ArrayPool<byte>.Shared.Rent(requestLength);
                PoolAccess.Payload(task, requestLength).CopyTo(request);
            }

            // A response longer than a task goes back in chunks (PoolAccess.Respond): the call is never repeated.
            _runtime.Ecall(contract, function, request.AsSpan(0, requestLength), response);
            if (response.WrittenCount > _runtime.Options.MaxPayloadBytes)
            {
                throw new PayloadTooLargeException(
                    $"The switchless ECALL's response is {response.WrittenCount} bytes; the limit is {_runtime.Options.MaxPayloadBytes} (EnclaveOptions.MaxPayloadBytes).");
            }

            Complete(task, sequence, TaskState.Done, 0, response.WrittenSpan, deferred);
        }
        catch (Exception ex)
        {
            response.Clear();
            RemoteError error = RemoteError.From(ex, _runtime.Options.Debug);
            error.Encode(response);
            if (response.WrittenCount > _config.InlineCapacity)
            {
                response.Clear();
                new RemoteError(error.Status, error.Type, "The error message does not fit a switchless task.").Encode(response);
            }

            Complete(task, sequence, TaskState.Failed, (int)error.Status, response.WrittenSpan, deferred);
        }
        finally
        {
            if (request is not null)
            {
                request.AsSpan(0, requestLength).Clear();
                ArrayPool<byte>.Shared.Return(request);
            }

            response.Return();
        }
    }

    private void Complete(byte* task, uint sequence, int state, int status, ReadOnlySpan<byte> payload, DeferredWakes deferred) =>
        _pool.Respond(task, sequence, state, status, payload, _config.InlineCapacity, PoolLayout.OffHostSignal, PoolLayout.OffHostSleepers, _isStopping, deferred);
}
