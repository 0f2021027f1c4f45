using System.Buffers;
using SecGear.Abi;
using SecGear.Host.Engines;
using SecGear.Host.Switchless;
using SecGear.Identity;
using SecGear.Images;
using SecGear.Simulation;
using SecGear.Switchless;
using SecGear.Trusted.Runtime;

namespace SecGear.Host.InProcess;

/// <summary>
/// An enclave running in the host process. Requests are copied into private buffers before dispatch and responses
/// copied out, OCALLs are direct calls (also copied both ways), and the trusted runtime enforces the EDL rules.
/// Switchless calls use the same task pool as the simulation engine, in native memory, with trusted and untrusted
/// workers both in this process; shared buffers are native memory registered in the runtime's table.
/// </summary>
internal sealed unsafe class InProcessEnclave : IEnclaveInstance, IEnclaveHostBridge, ISwitchlessHostBridge, ISwitchlessInstance, ISystemCallInstance
{
    [ThreadStatic]
    private static InProcessEnclave? t_enclave;

    [ThreadStatic]
    private static int t_contract;

    [ThreadStatic]
    private static IOcallHandler? t_ocalls;

    private readonly EnclaveRuntime _runtime;
    private readonly EnclaveOptions _options;
    private readonly EnclaveLogRouter _logs;
    private readonly SemaphoreSlim _threads;
    private readonly int _threadWaitMs;
    private readonly bool _debug;
    private readonly NativeMemoryHandle? _poolMemory;
    private readonly TrustedSwitchless? _trusted;
    private readonly HostSwitchless? _host;
    private readonly SwitchlessCounters _counters;
    private readonly IDisposable _metrics;
    private IOcallHandler?[] _ocallHandlers = [];
    private int _nextBuffer;
    private int _disposed;

    public InProcessEnclave(string imagePath, EnclaveFlags flags, EnclaveOptions options, SwitchlessConfig? switchless)
    {
        EnclaveImage image = EnclaveImage.Load(imagePath);
        EngineChecks.CheckDebugFlag(flags, image.Manifest);
        _options = options;
        _debug = (flags & EnclaveFlags.Debug) != 0;
        _logs = new EnclaveLogRouter(options.LoggerFactory);
        _threads = new SemaphoreSlim(image.Manifest.MaxThreads, image.Manifest.MaxThreads);
        _threadWaitMs = (int)Math.Min(int.MaxValue, options.ThreadWaitTimeout.TotalMilliseconds);
        _runtime = EnclaveRuntime.Start(image, this, new EnclaveRuntimeOptions
        {
            MaxPayloadBytes = options.MaxPayloadBytes,
            Debug = _debug,
            PlatformSecretPath = options.PlatformSecretPath,
            Isolated = false,
        });
        Action<string> warn = text => _logs.Log((int)Microsoft.Extensions.Logging.LogLevel.Warning, "SecGear.Switchless", text);
        _counters = new SwitchlessCounters(Manifest.Name, warn);
        if (switchless is not null && (!switchless.IfDeclared || EngineChecks.DeclaresSwitchless(_runtime.Contracts)))
        {
            _poolMemory = new NativeMemoryHandle(switchless.PoolSize);
            _trusted = new TrustedSwitchless(_poolMemory.Pointer, switchless, _runtime, warn);
            _host = new HostSwitchless(
                _poolMemory.Pointer, _poolMemory, switchless, _counters, HandlerFor, Gone, (c, f, request, response) => Call(c, HandlerFor(c), f, request, response), options.MaxPayloadBytes);
            _trusted.Start();
            _host.Start();
        }

        _metrics = SwitchlessMetrics.Register(Manifest.Name, () => SwitchlessStatistics);
    }

    public bool IsSwitchless => _host is not null;

    public SwitchlessCounters SwitchlessCounters => _counters;

    public SwitchlessStatistics SwitchlessStatistics => _host?.Statistics ?? _counters.Snapshot(default);

    public EnclaveIdentity Identity => _runtime.Identity;

    public EnclaveManifest Manifest => _runtime.Manifest;

    public int Bind(ContractDescriptor contract, IOcallHandler? ocalls)
    {
        ThrowIfDisposed();
        int handle = _runtime.Bind(contract.Name, contract.Hash);
        lock (_runtime)
        {
            IOcallHandler?[] handlers = _ocallHandlers;
            if (handle >= handlers.Length)
            {
                Array.Resize(ref handlers, _runtime.Contracts.Count);
            }

            handlers[handle] = ocalls;
            Volatile.Write(ref _ocallHandlers, handlers);
        }

        return handle;
    }

    public void Call(int contract, IOcallHandler? ocalls, int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response) =>
        Run(contract, ocalls, functionId, systemCall: false, request, response);

    public void SystemCall(EnclaveSystemCall call, ReadOnlySpan<byte> request, IBufferWriter<byte> response) =>
        Run(contract: 0, ocalls: null, (int)call, systemCall: true, request, response);

    /// <summary>
    /// One call into the enclave (an ECALL, or a system call the trusted runtime serves itself) with the rules of a
    /// remote enclave: bounded sizes, a private copy of the request, an enclave thread, errors translated by type name.
    /// </summary>
    private void Run(int contract, IOcallHandler? ocalls, int functionId, bool systemCall, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        string what = systemCall ? "system call" : "ECALL";
        ThrowIfDisposed();
        if (request.Length > _options.MaxPayloadBytes)
        {
            throw new PayloadTooLargeException($"The {what} request is {request.Length} bytes; the limit is {_options.MaxPayloadBytes}.");
        }

        // A nested ECALL (from an OCALL handler on this thread) runs on the enclave thread it came from.
        bool topLevel = !_runtime.HasCallOnCurrentThread;
        if (topLevel && !_threads.Wait(_threadWaitMs))
        {
            throw new EnclaveOutOfThreadsException($"All {Manifest.MaxThreads} threads of enclave '{Manifest.Name}' are busy.");
        }

        InProcessEnclave? savedEnclave = t_enclave;
        int savedContract = t_contract;
        IOcallHandler? savedOcalls = t_ocalls;
        t_enclave = this;
        t_contract = contract;
        t_ocalls = ocalls;
        byte[]? copy = request.IsEmpty ? null : ArrayPool<byte>.Shared.Rent(request.Length);
        WireBuffer result = WireBuffer.Rent();
        try
        {
            request.CopyTo(copy);
            if (systemCall)
            {
                _runtime.SystemCall((EnclaveSystemCall)functionId, copy.AsSpan(0, request.Length), result);
            }
            else
            {
                _runtime.Ecall(contract, functionId, copy.AsSpan(0, request.Length), result);
            }
            if (result.WrittenCount > _options.MaxPayloadBytes)
            {
                throw new PayloadTooLargeException($"The {what} response is {result.WrittenCount} bytes; the limit is {_options.MaxPayloadBytes}.");
            }
        }
        catch (ObjectDisposedException) when (Volatile.Read(ref _disposed) != 0)
        {
            throw new EnclaveDisposedException("The enclave was disposed during the call.");
        }
        catch (Exception ex) when (ex is not EnclaveLostException and not EnclaveDisposedException)
        {
            // The same translation as a remote enclave: only the type name and message leave the enclave.
            throw RemoteError.From(ex, _debug).ToHostException();
        }
        finally
        {
            t_enclave = savedEnclave;
            t_contract = savedContract;
            t_ocalls = savedOcalls;
            if (copy is not null)
            {
                copy.AsSpan(0, request.Length).Clear();
                ArrayPool<byte>.Shared.Return(copy);
            }

            if (topLevel)
            {
                _threads.Release();
            }
        }

        try
        {
            result.WrittenSpan.CopyTo(response.GetSpan(result.WrittenCount));
            response.Advance(result.WrittenCount);
        }
        finally
        {
            result.Return();
        }
    }

    void IEnclaveHostBridge.Ocall(int contract, FunctionDescriptor function, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        IOcallHandler? handler = ReferenceEquals(t_enclave, this) && t_contract == contract
            ? t_ocalls
            : (uint)contract < (uint)Volatile.Read(ref _ocallHandlers).Length ? _ocallHandlers[contract] : null;
        if (handler is null)
        {
            throw new OcallFailedException(function.Name, typeof(CallNotAllowedException).FullName!, $"The host bound no OCALL handler for contract {_runtime.Contracts[contract].Name}.");
        }

        byte[]? copy = request.IsEmpty ? null : ArrayPool<byte>.Shared.Rent(request.Length);
        WireBuffer result = WireBuffer.Rent();
        try
        {
            request.CopyTo(copy);
            try
            {
                handler.Dispatch(function.Id, copy.AsSpan(0, request.Length), result);
            }
            catch (Exception ex) when (ex is not EnclaveLostException and not EnclaveDisposedException)
            {
                throw RemoteError.From(ex, includeStackTrace: false).ToEnclaveException(function.Name);
            }

            if (result.WrittenCount > _options.MaxPayloadBytes)
            {
                throw new PayloadTooLargeException($"The response of OCALL '{function.Name}' is {result.WrittenCount} bytes; the limit is {_options.MaxPayloadBytes}.");
            }

            result.WrittenSpan.CopyTo(response.GetSpan(result.WrittenCount));
            response.Advance(result.WrittenCount);
        }
        finally
        {
            if (copy is not null)
            {
                copy.AsSpan(0, request.Length).Clear();
                ArrayPool<byte>.Shared.Return(copy);
            }

            result.Return();
        }
    }

    void ISwitchlessHostBridge.OcallSwitchless(int contract, FunctionDescriptor function, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        // In process every thread can make a regular OCALL, so the pool may always fall back.
        if (_trusted is null)
        {
            _counters.FeatureOff(function.Name, ecall: false);
        }

        if (_trusted is null)
        {
            ((IEnclaveHostBridge)this).Ocall(contract, function, request, response);
        }
        else if (!_trusted.TryOcall(contract, function, request, response, canFallback: true))
        {
            long start = SwitchlessPacer.Now;
            ((IEnclaveHostBridge)this).Ocall(contract, function, request, response);
            _trusted.ObserveRegular(SwitchlessPacer.Now - start);
        }
    }

    public void CallSwitchless(int contract, IOcallHandler? ocalls, int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        ThrowIfDisposed();

        // A call from an OCALL handler stays on its enclave thread, where the runtime applies the allow list.
        if (_host is not null && _runtime.HasCallOnCurrentThread)
        {
            _counters.EcallFallback(SwitchlessFallbackReason.Nested);
        }

        if (_host is null || _runtime.HasCallOnCurrentThread)
        {
            Call(contract, ocalls, functionId, request, response);
        }
        else if (!_host.TryCall(contract, functionId, request, response))
        {
            long start = SwitchlessPacer.Now;
            Call(contract, ocalls, functionId, request, response);
            _host.ObserveRegular(SwitchlessPacer.Now - start);
        }
    }

    public ValueTask CallSwitchlessAsync(int contract, IOcallHandler? ocalls, int functionId, ReadOnlyMemory<byte> request, IBufferWriter<byte> response)
    {
        ThrowIfDisposed();
        if (_host is not null && !_runtime.HasCallOnCurrentThread && _host.TryCallAsync(contract, functionId, request.Span, response) is { } pending)
        {
            return pending;
        }

        bool nested = _runtime.HasCallOnCurrentThread;
        if (_host is not null && nested)
        {
            _counters.EcallFallback(SwitchlessFallbackReason.Nested);
        }

        long start = SwitchlessPacer.Now;
        Call(contract, ocalls, functionId, request.Span, response);
        if (_host is not null && !nested)
        {
            _host.ObserveRegular(SwitchlessPacer.Now - start);
        }

        return ValueTask.CompletedTask;
    }

    public SharedMemory AllocateSharedMemory(int size)
    {
        ThrowIfDisposed();
        if (size > _options.MaxPayloadBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"A shared buffer holds at most EnclaveOptions.MaxPayloadBytes ({_options.MaxPayloadBytes}) bytes.");
        }

        var memory = new NativeMemoryHandle(size);
        uint id = (uint)Interlocked.Increment(ref _nextBuffer);
        try
        {
            nint token = _runtime.SharedMemory.Register(id, memory, memory.Pointer, size, owner: null);
            return new SharedMemory(memory, memory.Pointer, size, id, token, buffer => _runtime.SharedMemory.Remove(buffer.Id));
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }

    void IEnclaveHostBridge.Log(Microsoft.Extensions.Logging.LogLevel level, string category, string message) =>
        _logs.Log((int)level, category, message);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _metrics.Dispose();
            _host?.Dispose();
            _trusted?.Dispose();
            _runtime.Dispose();
            _poolMemory?.Dispose();
        }
    }

    private IOcallHandler? HandlerFor(int contract)
    {
        IOcallHandler?[] handlers = Volatile.Read(ref _ocallHandlers);
        return (uint)contract < (uint)handlers.Length ? handlers[contract] : null;
    }

    private Exception? Gone() =>
        Volatile.Read(ref _disposed) != 0 ? new EnclaveDisposedException($"Enclave '{Manifest.Name}' was disposed.") : null;

    private void ThrowIfDisposed()
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            throw new EnclaveDisposedException("The enclave has been disposed.");
        }
    }
}
