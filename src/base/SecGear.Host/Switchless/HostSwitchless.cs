using System.Buffers;
using System.Runtime.InteropServices;
using SecGear.Abi;
using SecGear.Simulation;
using SecGear.Switchless;

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
    private const int IdleSleepMs = 1000;

    /// <summary>Polls an asynchronous call makes for its own result before it hands the task to the untrusted workers.</summary>
    private const int AsyncInlinePolls = 64;

    private readonly PoolAccess _pool;
    private readonly SwitchlessConfig _config;
    private readonly SafeHandle _memory;
    private readonly Func<int, IOcallHandler?> _handlers;
    private readonly Func<Exception?> _gone;
    private readonly Func<bool> _giveUp;
    private readonly Func<bool> _hasHostWork;
    private readonly AsyncCall?[] _async;
    private readonly Thread[] _workers;
    private long _ecalls;
    private long _ocalls;
    private long _fallbacks;
    private long _poolFull;
    private long _sleeps;
    private long _wakes;
    private int _dead;
    private volatile bool _stopping;

    /// <param name="pool">This side's mapping of the pool.</param>
    /// <param name="memory">Keeps <paramref name="pool"/> mapped; each call and worker holds a reference.</param>
    /// <param name="config">The validated settings.</param>
    /// <param name="enclaveName">For errors and metric tags.</param>
    /// <param name="handlers">The OCALL handler bound for a contract handle, or null.</param>
    /// <param name="gone">The error every call gets once the enclave is lost or disposed, else null (may check liveness).</param>
    public HostSwitchless(byte* pool, SafeHandle memory, SwitchlessConfig config, string enclaveName, Func<int, IOcallHandler?> handlers, Func<Exception?> gone)
    {
        _pool = new PoolAccess(pool, config.Tasks, config.TaskSize);
        _memory = memory;
        _config = config;
        EnclaveName = enclaveName;
        _handlers = handlers;
        _gone = gone;
        _giveUp = () => Volatile.Read(ref _dead) != 0 || _gone() is not null;
        _hasHostWork = HasHostWork;
        _async = new AsyncCall?[config.Tasks];
        _workers = new Thread[config.UntrustedWorkers];
        for (int i = 0; i < _workers.Length; i++)
        {
            int index = i;
            _workers[i] = new Thread(() => Work(index)) { IsBackground = true, Name = $"SecGear switchless untrusted worker {i}" };
        }
    }

    public string EnclaveName { get; }

    public SwitchlessStatistics Statistics
    {
        get
        {
            long trustedSleeps = 0, trustedWakes = 0;
            bool added = false;
            try
            {
                _memory.DangerousAddRef(ref added);
                trustedSleeps = Volatile.Read(ref *_pool.Word(PoolLayout.OffTrustedSleeps));
                trustedWakes = Volatile.Read(ref *_pool.Word(PoolLayout.OffTrustedWakes));
            }
            catch (ObjectDisposedException)
            {
                // The pool is unmapped (enclave destroyed): the enclave-side counters are no longer readable.
            }
            finally
            {
                if (added)
                {
                    _memory.DangerousRelease();
                }
            }

            return new SwitchlessStatistics(
                Volatile.Read(ref _ecalls), Volatile.Read(ref _ocalls), Volatile.Read(ref _fallbacks), Volatile.Read(ref _poolFull),
                Volatile.Read(ref _sleeps), Volatile.Read(ref _wakes), trustedSleeps, trustedWakes);
        }
    }

    public void Start()
    {
        foreach (Thread worker in _workers)
        {
            worker.Start();
        }

        SwitchlessMetrics.Register(this);
    }

    /// <summary>
    /// Makes a switchless ECALL. Returns false when the caller must make a regular call instead (request larger than a
    /// task, pool full with rollback on, or no trusted worker accepted the task within the fallback retries).
    /// </summary>
    /// <exception cref="SwitchlessPoolFullException">The pool is full and rollback is off.</exception>
    public bool TryCall(int contract, int function, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        if (request.Length > _config.InlineCapacity)
        {
            Interlocked.Increment(ref _fallbacks);
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
            Post(task, contract, function, request, PoolLayout.WaiterSpinning);
            for (int spins = 0; spins < _config.RetriesBeforeFallback && PoolAccess.StateOf(task) == TaskState.Submitted; spins++)
            {
                PoolAccess.Pause(spins);
            }

            // Only a task still unaccepted is taken back: a CAS on a line the worker now owns would cost a transfer.
            if (PoolAccess.StateOf(task) == TaskState.Submitted && PoolAccess.TryTransition(task, TaskState.Submitted, TaskState.Free))
            {
                Interlocked.Increment(ref _fallbacks);
                return false;
            }

            int state = PoolAccess.WaitForResult(task, _config.RetriesBeforeSleep, ParkMs, _giveUp);
            Finish(task, state, response);
            return true;
        }
        finally
        {
            _memory.DangerousRelease();
        }
    }

    /// <summary>
    /// Posts a switchless ECALL and returns at once; an untrusted worker completes the task when the enclave answers.
    /// Returns null when the caller must make a regular call instead (request larger than a task, or pool full with
    /// rollback on).
    /// </summary>
    public ValueTask? TryCallAsync(int contract, int function, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        if (request.Length > _config.InlineCapacity)
        {
            Interlocked.Increment(ref _fallbacks);
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

        // A call that finishes within a few polls completes inline, with no worker and no thread hop.
        byte* task = _pool.EcallTask(index);
        Post(task, contract, function, request, PoolLayout.WaiterAsync);
        for (int i = 0; i < AsyncInlinePolls && PoolAccess.StateOf(task) is TaskState.Submitted or TaskState.Accepted; i++)
        {
            Thread.SpinWait(4);
        }

        var call = new AsyncCall(response);
        Volatile.Write(ref _async[index], call);

        // Re-checked after registering: a task that finished before the registration would not be seen by a worker
        // that was woken (and went back to sleep) before it could find the waiter.
        if (PoolAccess.StateOf(task) is TaskState.Done or TaskState.Failed or TaskState.Dead
            && Interlocked.CompareExchange(ref _async[index], null, call) == call)
        {
            try
            {
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

        return new ValueTask(call.Completion.Task);
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
        SwitchlessMetrics.Unregister(this);
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

        Interlocked.Increment(ref _poolFull);
        if (!_config.Rollback)
        {
            throw new SwitchlessPoolFullException(
                $"All {_pool.Tasks} switchless ECALL tasks of enclave '{EnclaveName}' are in use and rollback to a regular call is off (SwitchlessOptions.RollbackToRegularCall).");
        }

        Interlocked.Increment(ref _fallbacks);
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
            Interlocked.Increment(ref _ecalls);
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
        try
        {
            Finish(_pool.EcallTask(index), PoolAccess.StateOf(_pool.EcallTask(index)), call.Response);
            call.Completion.TrySetResult();
        }
        catch (Exception ex)
        {
            call.Completion.TrySetException(ex);
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
            call.Completion.TrySetException(Gone());
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
            int idle = 0;
            while (!_stopping)
            {
                if (Poll(index))
                {
                    idle = 0;
                }
                else if (!_config.Busy && ++idle > _config.RetriesBeforeSleep)
                {
                    // After a timeout with nothing to do, one empty poll is enough to go back to sleep.
                    bool signalled = _pool.Sleep(PoolLayout.OffHostSignal, PoolLayout.OffHostSleepers, IdleSleepMs, _hasHostWork, ref _sleeps, ref _wakes);
                    idle = signalled ? 0 : _config.RetriesBeforeSleep;
                }
                else
                {
                    PoolAccess.Pause(idle);
                }
            }
        }
        finally
        {
            _memory.DangerousRelease();
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
            PoolAccess.SetControl(task, state, status);
            _pool.NotifyCaller(task, PoolLayout.OffEnclaveSignal, PoolLayout.OffEnclaveSleepers);
            Interlocked.Increment(ref _ocalls);
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

    private sealed class AsyncCall(IBufferWriter<byte> response)
    {
        public IBufferWriter<byte> Response => response;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
