using System.Buffers;
using SecGear.Abi;
using SecGear.Host.Engines;
using SecGear.Host.Switchless;
using SecGear.Identity;
using SecGear.Images;
using SecGear.Switchless;
using SecGear.Transport;
using SecGear.Trusted.Runtime;
using SecGear.Trusted.Switchless;

namespace SecGear.Host.InProcess;

/// <summary>
/// An enclave running in the host process. Requests are copied into private buffers before dispatch and responses
/// copied out, OCALLs are direct calls (also copied both ways), and the trusted runtime enforces the EDL rules.
/// Switchless calls use the same task pool as the simulation engine, in native memory, with trusted and untrusted
/// workers both in this process; shared buffers are native memory registered in the runtime's table.
/// </summary>
internal sealed unsafe class InProcessEnclave : EngineInstance, IEnclaveHostBridge, ISwitchlessHostBridge
{
    [ThreadStatic]
    private static InProcessEnclave? t_enclave;

    [ThreadStatic]
    private static int t_contract;

    [ThreadStatic]
    private static IOcallHandler? t_ocalls;

    private readonly EnclaveRuntime _runtime;
    private readonly SemaphoreSlim _threads;
    private readonly int _threadWaitMs;
    private readonly bool _debug;
    private readonly NativeMemoryHandle? _poolMemory;
    private readonly TrustedSwitchless? _trusted;
    private int _nextBuffer;

    public InProcessEnclave(string imagePath, EnclaveFlags flags, EnclaveOptions options, SwitchlessConfig? switchless)
        : this(EnclaveImage.Load(imagePath), flags, options, switchless)
    {
    }

    private InProcessEnclave(EnclaveImage image, EnclaveFlags flags, EnclaveOptions options, SwitchlessConfig? switchless)
        : base(image.Manifest.Name, options)
    {
        EngineChecks.CheckDebugFlag(flags, image.Manifest);
        _debug = (flags & EnclaveFlags.Debug) != 0;
        _threads = new SemaphoreSlim(image.Manifest.MaxThreads, image.Manifest.MaxThreads);
        _threadWaitMs = (int)Math.Min(int.MaxValue, options.ThreadWaitTimeout.TotalMilliseconds);
        _runtime = EnclaveRuntime.Start(image, this, new EnclaveRuntimeOptions
        {
            MaxPayloadBytes = options.MaxPayloadBytes,
            Debug = _debug,
            PlatformSecretPath = options.PlatformSecretPath,
            Isolated = false,
        });
        if (switchless is not null && (!switchless.IfDeclared || EngineChecks.DeclaresSwitchless(_runtime.Contracts)))
        {
            Action<string> warn = text => Logs.Log((int)Microsoft.Extensions.Logging.LogLevel.Warning, "SecGear.Switchless", text);
            _poolMemory = new NativeMemoryHandle(switchless.PoolSize);
            _trusted = new TrustedSwitchless(_poolMemory.Pointer, switchless, _runtime, warn);
            Switchless = new HostSwitchless(
                _poolMemory.Pointer, _poolMemory, switchless, Counters, HandlerFor, Gone, (c, f, request, response) => Call(c, HandlerFor(c), f, request, response), options.MaxPayloadBytes);
            _trusted.Start();
            Switchless.Start();
        }
    }

    public override EnclaveIdentity Identity => _runtime.Identity;

    public override EnclaveManifest Manifest => _runtime.Manifest;

    protected override bool InOcallOfThisEnclave => _runtime.HasCallOnCurrentThread;

    public override void Call(int contract, IOcallHandler? ocalls, int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response) =>
        Run(contract, ocalls, functionId, systemCall: false, request, response);

    public override void SystemCall(EnclaveSystemCall call, ReadOnlySpan<byte> request, IBufferWriter<byte> response) =>
        Run(contract: 0, ocalls: null, (int)call, systemCall: true, request, response);

    protected override int BindInEnclave(ContractDescriptor contract) => _runtime.Bind(contract.Name, contract.Hash);

    /// <summary>
    /// One call into the enclave (an ECALL, or a system call the trusted runtime serves itself) with the rules of a
    /// remote enclave: bounded sizes, a private copy of the request, an enclave thread, errors translated by type name.
    /// </summary>
    private void Run(int contract, IOcallHandler? ocalls, int functionId, bool systemCall, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        string what = systemCall ? "system call" : "ECALL";
        ThrowIfGone();
        CheckPayload(request.Length, what + " request");

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
            CheckPayload(result.WrittenCount, what + " response");
        }
        catch (ObjectDisposedException) when (IsDisposed)
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
        IOcallHandler? handler = ReferenceEquals(t_enclave, this) ? HandlerFor(contract, t_contract, t_ocalls) : HandlerFor(contract);
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

            CheckPayload(result.WrittenCount, $"response of OCALL '{function.Name}'");

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
            Counters.FeatureOff(function.Name, ecall: false);
            ((IEnclaveHostBridge)this).Ocall(contract, function, request, response);
        }
        else if (!_trusted.TryOcall(contract, function, request, response, canFallback: true))
        {
            long start = SwitchlessPacer.Now;
            ((IEnclaveHostBridge)this).Ocall(contract, function, request, response);
            _trusted.ObserveRegular(contract, function.Id, SwitchlessPacer.Now - start);
        }
    }

    void IEnclaveHostBridge.Log(Microsoft.Extensions.Logging.LogLevel level, string category, string message) =>
        Logs.Log((int)level, category, message);

    protected override SharedMemory MapSharedMemory(int size)
    {
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

    protected override void Shutdown()
    {
        Switchless?.Dispose();
        _trusted?.Dispose();
        _runtime.Dispose();
        _poolMemory?.Dispose();
    }

    protected override void ThrowIfGone()
    {
        if (IsDisposed)
        {
            throw new EnclaveDisposedException("The enclave has been disposed.");
        }
    }

    private Exception? Gone() =>
        IsDisposed ? new EnclaveDisposedException($"Enclave '{Manifest.Name}' was disposed.") : null;
}
