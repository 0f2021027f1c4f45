using System.Buffers;
using SecGear.Abi;
using SecGear.Host.Switchless;
using SecGear.Identity;
using SecGear.Images;
using SecGear.Switchless;

namespace SecGear.Host.Engines;

/// <summary>
/// The core every built-in engine's enclave shares, so that an engine is only what is different about it (how it
/// starts the enclave, carries one regular call, and maps a shared buffer). It keeps the OCALL handler table filled
/// by <see cref="Bind"/>, the payload-size guards, the switchless counters and meter, and makes the
/// switchless-or-regular decision for every switchless ECALL in one place. See docs/architecture.md, "Engines".
/// </summary>
internal abstract class EngineInstance : IEnclaveInstance, ISwitchlessInstance, ISystemCallInstance
{
    private readonly Lock _bindLock = new();
    private readonly IDisposable _metrics;
    private IOcallHandler?[] _ocallHandlers = [];
    private ContractDescriptor?[] _contracts = [];
    private int _disposed;

    /// <summary>
    /// Starts the shared state of enclave <paramref name="name"/> (the manifest's name); its log records go to
    /// <paramref name="logs"/> (the engine's, when it routed logs before the enclave existed) or a new router.
    /// </summary>
    protected EngineInstance(string name, EnclaveOptions options, EnclaveLogRouter? logs = null)
    {
        Options = options;
        Logs = logs ?? new EnclaveLogRouter(options.LoggerFactory);
        Counters = new SwitchlessCounters(name, text => Logs.Log((int)Microsoft.Extensions.Logging.LogLevel.Warning, "SecGear.Switchless", text));
        _metrics = SwitchlessMetrics.Register(name, () => SwitchlessStatistics);
    }

    /// <inheritdoc/>
    public abstract EnclaveIdentity Identity { get; }

    /// <inheritdoc/>
    public abstract EnclaveManifest Manifest { get; }

    /// <inheritdoc/>
    public bool IsSwitchless => Switchless is not null;

    /// <inheritdoc/>
    public SwitchlessCounters SwitchlessCounters => Counters;

    /// <inheritdoc/>
    public SwitchlessStatistics SwitchlessStatistics => Switchless?.Statistics ?? Counters.Snapshot(default);

    /// <summary>The options the enclave was created with.</summary>
    protected EnclaveOptions Options { get; }

    /// <summary>Where the enclave's log records go.</summary>
    protected EnclaveLogRouter Logs { get; }

    /// <summary>The enclave's switchless counters (kept also while the pool does not run).</summary>
    protected SwitchlessCounters Counters { get; }

    /// <summary>The host side of the switchless pool; null while the pool does not run. Set once, by the engine.</summary>
    protected HostSwitchless? Switchless { get; set; }

    /// <summary>True once <see cref="Dispose"/> has begun.</summary>
    protected bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>
    /// True when the current thread is serving an OCALL of this enclave: an ECALL it makes is nested and must stay on
    /// the enclave thread the OCALL came from, where the EDL allow list applies.
    /// </summary>
    protected abstract bool InOcallOfThisEnclave { get; }

    /// <inheritdoc/>
    public int Bind(ContractDescriptor contract, IOcallHandler? ocalls)
    {
        ThrowIfGone();
        int handle = BindInEnclave(contract);
        lock (_bindLock)
        {
            Volatile.Write(ref _ocallHandlers, Grow(_ocallHandlers, handle, ocalls));
            Volatile.Write(ref _contracts, Grow(_contracts, handle, contract));
        }

        return handle;
    }

    /// <inheritdoc/>
    public abstract void Call(int contract, IOcallHandler? ocalls, int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response);

    /// <inheritdoc/>
    public abstract void SystemCall(EnclaveSystemCall call, ReadOnlySpan<byte> request, IBufferWriter<byte> response);

    /// <inheritdoc/>
    public void CallSwitchless(int contract, IOcallHandler? ocalls, int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        ThrowIfGone();
        HostSwitchless? pool = Switchless;
        if (pool is null)
        {
            NoteEcallOff(contract, functionId);
            Call(contract, ocalls, functionId, request, response);
            return;
        }

        // A call from an OCALL handler of a regular call stays on its enclave thread, where the allow list applies.
        if (InOcallOfThisEnclave)
        {
            Counters.EcallFallback(SwitchlessFallbackReason.Nested);
            Call(contract, ocalls, functionId, request, response);
        }
        else if (!pool.TryCall(contract, functionId, request, response))
        {
            long start = SwitchlessPacer.Now;
            Call(contract, ocalls, functionId, request, response);
            pool.ObserveRegular(contract, functionId, SwitchlessPacer.Now - start);
        }
    }

    /// <inheritdoc/>
    public ValueTask CallSwitchlessAsync(int contract, IOcallHandler? ocalls, int functionId, ReadOnlyMemory<byte> request, IBufferWriter<byte> response)
    {
        ThrowIfGone();
        HostSwitchless? pool = Switchless;
        if (pool is null)
        {
            NoteEcallOff(contract, functionId);
            Call(contract, ocalls, functionId, request.Span, response);
            return ValueTask.CompletedTask;
        }

        bool nested = InOcallOfThisEnclave;
        if (!nested && pool.TryCallAsync(contract, functionId, request.Span, response) is { } pending)
        {
            return pending;
        }

        if (nested)
        {
            Counters.EcallFallback(SwitchlessFallbackReason.Nested);
        }

        long start = SwitchlessPacer.Now;
        Call(contract, ocalls, functionId, request.Span, response);
        if (!nested)
        {
            pool.ObserveRegular(contract, functionId, SwitchlessPacer.Now - start);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public SharedMemory AllocateSharedMemory(int size)
    {
        ThrowIfGone();
        if (size > Options.MaxPayloadBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"A shared buffer holds at most EnclaveOptions.MaxPayloadBytes ({Options.MaxPayloadBytes}) bytes.");
        }

        return MapSharedMemory(size);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _metrics.Dispose();
        Shutdown();
    }

    /// <summary>Checks in the enclave that it implements <paramref name="contract"/> and returns its contract handle.</summary>
    protected abstract int BindInEnclave(ContractDescriptor contract);

    /// <summary>Maps a shared buffer of <paramref name="size"/> bytes (at most the payload limit) in host and enclave.</summary>
    protected abstract SharedMemory MapSharedMemory(int size);

    /// <summary>Stops the enclave and frees what the engine holds; called once, by <see cref="Dispose"/>.</summary>
    protected abstract void Shutdown();

    /// <summary>Throws <see cref="EnclaveDisposedException"/> or <see cref="EnclaveLostException"/> when no call can run.</summary>
    protected abstract void ThrowIfGone();

    /// <summary>The OCALL handler bound with contract handle <paramref name="contract"/>; null when none is.</summary>
    protected IOcallHandler? HandlerFor(int contract)
    {
        IOcallHandler?[] handlers = Volatile.Read(ref _ocallHandlers);
        return (uint)contract < (uint)handlers.Length ? handlers[contract] : null;
    }

    /// <summary>
    /// The OCALL handler for an OCALL of contract <paramref name="contract"/> made during an ECALL of
    /// <paramref name="callContract"/>: that call's own handlers when the contracts are the same, else the bound ones.
    /// </summary>
    protected IOcallHandler? HandlerFor(int contract, int callContract, IOcallHandler? callOcalls) =>
        contract == callContract ? callOcalls : HandlerFor(contract);

    /// <summary>The contract bound with handle <paramref name="contract"/>; null when none is.</summary>
    protected ContractDescriptor? ContractFor(int contract)
    {
        ContractDescriptor?[] contracts = Volatile.Read(ref _contracts);
        return (uint)contract < (uint)contracts.Length ? contracts[contract] : null;
    }

    /// <summary>Refuses a payload over the enclave's limit: "The <paramref name="what"/> is N bytes; the limit is M."</summary>
    /// <exception cref="PayloadTooLargeException"><paramref name="length"/> is over <see cref="EnclaveOptions.MaxPayloadBytes"/>.</exception>
    protected void CheckPayload(int length, string what)
    {
        if (length > Options.MaxPayloadBytes)
        {
            throw new PayloadTooLargeException($"The {what} is {length} bytes; the limit is {Options.MaxPayloadBytes}.");
        }
    }

    /// <summary>A switchless ECALL made while the pool does not run is counted, and the first one logged.</summary>
    private void NoteEcallOff(int contract, int functionId)
    {
        ContractDescriptor? descriptor = ContractFor(contract);
        string name = descriptor is not null && (uint)functionId < (uint)descriptor.Ecalls.Count ? descriptor.Ecalls[functionId].Name : $"#{functionId}";
        Counters.FeatureOff(name, ecall: true);
    }

    private static T?[] Grow<T>(T?[] table, int index, T? value)
        where T : class
    {
        if (index >= table.Length)
        {
            Array.Resize(ref table, index + 1);
        }

        table[index] = value;
        return table;
    }
}
