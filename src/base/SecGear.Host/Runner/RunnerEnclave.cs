using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.Versioning;
using SecGear.Abi;
using SecGear.Host.Engines;
using SecGear.Host.Switchless;
using SecGear.Identity;
using SecGear.Images;
using SecGear.Switchless;
using SecGear.Transport;

namespace SecGear.Host.Runner;

/// <summary>
/// Host side of one enclave in a runner process (the simulation engine's, and any engine whose enclave runs in
/// SecGear.Runner): the call exchange over the shared region, one slot per enclave thread, on top of the engine core
/// (<see cref="EngineInstance"/>); the process itself is supervised by <see cref="RunnerProcess"/>.
/// A calling thread posts its ECALL to a free slot and waits on the slot's futex for the result; OCALLs the
/// enclave makes meanwhile arrive on that slot and run on the waiting thread, and ECALLs made from those OCALL
/// handlers (nested ECALLs) reuse the same slot, so they reach the same enclave thread. A dead runner is turned
/// into <see cref="EnclaveLostException"/> for every pending and later call.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed unsafe class RunnerEnclave : EngineInstance
{
    private const int LivenessCheckMs = 250;

    /// <summary>How long a shared-memory registration waits for a free enclave thread.</summary>
    private const int ControlSlotWaitMs = 10_000;

    [ThreadStatic]
    private static HostFrame? t_frame;

    private readonly RunnerProcess _runner;
    private readonly SharedRegion _region;
    private readonly Slot[] _slots;
    private readonly int[] _slotBusy;
    private readonly SemaphoreSlim _threads;
    private readonly int _threadWaitMs;
    private MappedFile? _pool;
    private int _nextBuffer;
    private int _lost;

    private RunnerEnclave(RunnerProcess runner, SharedRegion region, RunnerReady startup, EnclaveOptions options, EnclaveLogRouter logs)
        : base(startup.Manifest.Name, options, logs)
    {
        _runner = runner;
        _region = region;
        Manifest = startup.Manifest;
        Identity = startup.Identity;
        _slots = new Slot[region.SlotCount];
        for (int i = 0; i < _slots.Length; i++)
        {
            _slots[i] = region.CreateSlot(i, isHost: true);
        }

        _slotBusy = new int[_slots.Length];
        _threads = new SemaphoreSlim(_slots.Length, _slots.Length);
        _threadWaitMs = (int)Math.Min(int.MaxValue, options.ThreadWaitTimeout.TotalMilliseconds);
    }

    public override EnclaveIdentity Identity { get; }

    public override EnclaveManifest Manifest { get; }

    /// <summary>Process id of the runner (for diagnostics and fault-injection tests).</summary>
    internal int RunnerProcessId => _runner.Id;

    /// <summary>The host's mapping of the switchless pool (fault-injection tests corrupt tasks through it).</summary>
    internal MappedFile? SwitchlessPool => _pool;

    protected override bool InOcallOfThisEnclave => HostFrame.Find(this) is not null;

    /// <summary>Starts the runner for <paramref name="launch"/> and connects to the enclave it reports.</summary>
    public static RunnerEnclave Start(RunnerLaunch launch, EnclaveOptions options)
    {
        var logs = new EnclaveLogRouter(options.LoggerFactory);
        RunnerProcess runner = RunnerProcess.Start(launch, options, logs);
        RunnerEnclave? enclave = null;
        string? regionPath = null;
        try
        {
            RunnerReady startup = runner.ReadStartup(options);
            regionPath = startup.Region;
            EngineChecks.CheckDebugFlag(launch.Flags, startup.Manifest);
            SharedRegion region = SharedRegion.Open(startup.Region, startup.SlotCount, startup.SlotSize, startup.MaxPayload);

            // Both sides have mapped the region: its name is no longer needed by anyone.
            region.Unlink();
            enclave = new RunnerEnclave(runner, region, startup, options, logs);
            // Under the default-on rule the runner starts the pool only if the enclave's contracts ask for it.
            if (launch.Switchless is not null && startup.Switchless)
            {
                enclave.OpenSwitchless(launch.Switchless);
            }

            runner.Watch(enclave.MarkLost);
            return enclave;
        }
        catch
        {
            if (enclave is not null)
            {
                enclave.Dispose();
            }
            else
            {
                // A runner that failed to start properly gets no grace period, and leaves no region file behind.
                runner.Kill();
                runner.Dispose();
                if (regionPath is not null)
                {
                    File.Delete(regionPath);
                    OverflowFile.DeleteAll(regionPath);
                }
            }

            throw;
        }
    }

    public override void Call(int contract, IOcallHandler? ocalls, int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response) =>
        Exchange(MessageKind.Ecall, contract, functionId, request, response, ocalls, contract);

    public override void SystemCall(EnclaveSystemCall call, ReadOnlySpan<byte> request, IBufferWriter<byte> response) =>
        Exchange(MessageKind.SystemCall, 0, (int)call, request, response, null, null);

    protected override int BindInEnclave(ContractDescriptor contract)
    {
        var request = new WireBuffer(64 + contract.Name.Length);
        request.WriteUtf8String(contract.Name);
        request.WriteBytes(contract.Hash);
        var result = new ArrayBufferWriter<byte>(4);
        Exchange(MessageKind.Bind, 0, 0, request.WrittenSpan, result, null, null);
        if (result.WrittenCount != 4)
        {
            throw new MarshalException($"A bind result is 4 bytes; the enclave sent {result.WrittenCount}.");
        }

        int handle = BinaryPrimitives.ReadInt32LittleEndian(result.WrittenSpan);
        if (handle is < 0 or > 4096)
        {
            throw new MarshalException($"The enclave returned contract handle {handle}; expected 0 to 4096.");
        }

        return handle;
    }

    protected override SharedMemory MapSharedMemory(int size)
    {
        uint id = (uint)Interlocked.Increment(ref _nextBuffer);
        long mapped = (size + 4095L) & ~4095L;
        string path = SharedBufferPath(_region.Path, id);
        MappedFile buffer = MappedFile.Create(path, mapped);
        try
        {
            var request = new WireBuffer(16);
            request.WriteUInt32(id);
            request.WriteInt32(size);
            var result = new ArrayBufferWriter<byte>(8);
            Exchange(MessageKind.ShareMemory, 0, 0, request.WrittenSpan, result, null, null, ControlSlotWaitMs);
            if (result.WrittenCount != 8)
            {
                throw new MarshalException($"A shared-memory registration returns an 8-byte token; the enclave sent {result.WrittenCount} bytes.");
            }

            nint token = (nint)BinaryPrimitives.ReadInt64LittleEndian(result.WrittenSpan);
            return new SharedMemory(buffer, buffer.Pointer, size, id, token, FreeSharedMemory);
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
        finally
        {
            // The runner has mapped it (or failed): the name is no longer needed.
            File.Delete(path);
        }
    }

    /// <summary>The file of shared buffer <paramref name="id"/>; both sides derive it, the peer never supplies a path.</summary>
    internal static string SharedBufferPath(string regionPath, uint id) =>
        $"{regionPath}.m{id.ToString(CultureInfo.InvariantCulture)}";

    protected override void Shutdown()
    {
        _runner.Stop();
        MarkLost();
        Switchless?.Dispose();
        _pool?.Dispose();
        _region.Dispose();
        OverflowFile.DeleteAll(_region.Path);
        _runner.Dispose();
    }

    private void OpenSwitchless(SwitchlessConfig config)
    {
        string path = _region.Path + ".sl";
        try
        {
            _pool = MappedFile.Open(path, config.PoolSize);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new EnclaveLostException($"Cannot open the enclave's switchless pool: {ex.Message}", ex);
        }
        finally
        {
            File.Delete(path);
        }

        byte* header = _pool.Pointer;
        ulong magic = *(ulong*)(header + PoolLayout.OffMagic);
        if (magic != PoolLayout.Magic)
        {
            throw PoolHeaderMismatch("magic", $"0x{magic:x16}", $"0x{PoolLayout.Magic:x16}");
        }

        CheckPoolField("version", *(int*)(header + PoolLayout.OffVersion), PoolLayout.Version);
        CheckPoolField("task count", *(int*)(header + PoolLayout.OffTaskCount), config.Tasks);
        CheckPoolField("task size", *(int*)(header + PoolLayout.OffTaskSize), config.TaskSize);
        CheckPoolField("inline capacity", *(int*)(header + PoolLayout.OffInline), config.InlineCapacity);

        Switchless = new HostSwitchless(
            _pool.Pointer, _pool.Memory, config, Counters, HandlerFor, GoneError, (c, f, request, response) => Call(c, HandlerFor(c), f, request, response), Options.MaxPayloadBytes);
        Switchless.Start();
    }

    private static void CheckPoolField(string field, int found, int expected)
    {
        if (found != expected)
        {
            throw PoolHeaderMismatch(field, found.ToString(CultureInfo.InvariantCulture), expected.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static EnclaveLostException PoolHeaderMismatch(string field, string found, string expected) =>
        new($"The enclave's switchless pool header does not match the requested configuration: {field} is {found}; expected {expected}.");

    private Exception? GoneError()
    {
        if (IsDisposed)
        {
            return new EnclaveDisposedException($"Enclave '{Manifest.Name}' was disposed.");
        }

        if (Volatile.Read(ref _lost) == 0 && _runner.HasExited)
        {
            MarkLost();
        }

        return Volatile.Read(ref _lost) != 0
            ? new EnclaveLostException($"The runner of enclave '{Manifest.Name}' exited; no call can complete.")
            : null;
    }

    private void FreeSharedMemory(SharedMemory buffer)
    {
        if (IsDisposed || Volatile.Read(ref _lost) != 0)
        {
            return;
        }

        var request = new WireBuffer(8);
        request.WriteUInt32(buffer.Id);
        try
        {
            Exchange(MessageKind.UnshareMemory, 0, 0, request.WrittenSpan, new ArrayBufferWriter<byte>(1), null, null, ControlSlotWaitMs);
        }
        catch (Exception ex) when (ex is EnclaveLostException or EnclaveDisposedException)
        {
            // The enclave is gone: its mapping went with it.
        }
    }

    private void MarkLost()
    {
        if (Interlocked.Exchange(ref _lost, 1) != 0)
        {
            return;
        }

        Switchless?.MarkDead();
        if (!_region.TryEnter())
        {
            return;
        }

        try
        {
            foreach (Slot slot in _slots)
            {
                slot.SetState(SlotState.Dead, wake: true);
            }
        }
        finally
        {
            _region.Exit();
        }
    }

    protected override void ThrowIfGone()
    {
        if (IsDisposed)
        {
            throw new EnclaveDisposedException($"Enclave '{Manifest.Name}' was disposed.");
        }

        if (Volatile.Read(ref _lost) != 0)
        {
            throw new EnclaveLostException($"The runner of enclave '{Manifest.Name}' exited; no call can complete.");
        }
    }

    private void Exchange(MessageKind kind, int contract, int function, ReadOnlySpan<byte> request, IBufferWriter<byte> response, IOcallHandler? ocalls, int? callContract, int? slotWaitMs = null)
    {
        CheckPayload(request.Length, "request");

        ThrowIfGone();
        if (!_region.TryEnter())
        {
            ThrowIfGone();
            throw new EnclaveDisposedException($"Enclave '{Manifest.Name}' was disposed.");
        }

        try
        {
            Slot? nested = HostFrame.Find(this);
            Slot slot = nested ?? AcquireSlot(slotWaitMs ?? _threadWaitMs);
            bool completed = false;
            try
            {
                ThrowIfGone();
                slot.Post(SlotState.ToEnclave, kind, contract, function, 0, request);
                Pump(slot, callContract ?? -1, ocalls, response, ref completed);
            }
            finally
            {
                if (nested is null)
                {
                    ReleaseSlot(slot, completed);
                }
            }
        }
        finally
        {
            _region.Exit();
        }
    }

    private Slot AcquireSlot(int waitMs)
    {
        if (!_threads.Wait(waitMs))
        {
            throw new EnclaveOutOfThreadsException($"All {_slots.Length} threads (TCS) of enclave '{Manifest.Name}' are busy.");
        }

        int start = Environment.CurrentManagedThreadId % _slots.Length;
        for (int n = 0; ; n++)
        {
            int i = (start + n) % _slots.Length;
            if (Interlocked.CompareExchange(ref _slotBusy[i], 1, 0) == 0)
            {
                return _slots[i];
            }
        }
    }

    private void ReleaseSlot(Slot slot, bool completed)
    {
        // A slot whose exchange did not end with a result or an error may still be in use by its enclave thread:
        // it is never handed out again (the enclave is lost or misbehaving).
        if (!completed)
        {
            return;
        }

        slot.SetState(SlotState.Idle, wake: false);
        Volatile.Write(ref _slotBusy[slot.Index], 0);
        _threads.Release();
    }

    private void Pump(Slot slot, int callContract, IOcallHandler? ocalls, IBufferWriter<byte> response, ref bool completed)
    {
        while (true)
        {
            int state = slot.State;
            if (state == SlotState.ToHost)
            {
                SlotMessage message = slot.ReadMessage();
                switch (message.Kind)
                {
                    case MessageKind.Result:
                        completed = true;
                        slot.ReadPayload(message, response);
                        return;
                    case MessageKind.Error:
                        completed = true;
                        throw RemoteError.Decode(message.Status, slot.ReadPayload(message)).ToHostException();
                    case MessageKind.Ocall:
                        ServeOcall(slot, message, callContract, ocalls);
                        continue;
                    case MessageKind.Log:
                        ServeLog(slot, message);
                        continue;
                    default:
                        throw new MarshalException($"Slot {slot.Index}: the enclave sent a {message.Kind} message during a call; expected Result, Error, Ocall or Log.");
                }
            }

            ThrowIfGone();
            if (state != SlotState.ToEnclave)
            {
                throw new MarshalException($"Slot {slot.Index}: the enclave left the slot in state {state}.");
            }

            slot.WaitWhile(SlotState.ToEnclave, LivenessCheckMs);
            if (slot.State == SlotState.ToEnclave && _runner.HasExited)
            {
                MarkLost();
            }
        }
    }

    private void ServeOcall(Slot slot, in SlotMessage message, int callContract, IOcallHandler? ocalls)
    {
        IOcallHandler? handler = HandlerFor(message.Contract, callContract, ocalls);
        byte[] request = ArrayPool<byte>.Shared.Rent(message.Length);
        WireBuffer result = WireBuffer.Rent();
        var frame = new HostFrame(this, slot, t_frame);
        t_frame = frame;
        try
        {
            // Copy the request out of shared memory before the handler sees it.
            slot.ReadPayload(message, request.AsSpan(0, message.Length));
            NoteIfSwitchlessOff(message.Contract, message.Function);
            if (handler is null)
            {
                throw new CallNotAllowedException($"The host bound no OCALL handler for contract handle {message.Contract}.");
            }

            handler.Dispatch(message.Function, request.AsSpan(0, message.Length), result);
            slot.Post(SlotState.ToEnclave, MessageKind.OcallResult, message.Contract, message.Function, 0, result.WrittenSpan);
        }
        catch (Exception ex) when (ex is not EnclaveLostException and not EnclaveDisposedException)
        {
            RemoteError error = RemoteError.From(ex, includeStackTrace: false);
            result.Clear();
            error.Encode(result);
            slot.Post(SlotState.ToEnclave, MessageKind.OcallError, message.Contract, message.Function, (int)error.Status, result.WrittenSpan);
        }
        finally
        {
            t_frame = frame.Parent;
            request.AsSpan(0, message.Length).Clear();
            ArrayPool<byte>.Shared.Return(request);
            result.Return();
        }
    }

    /// <summary>A switchless OCALL that arrives through a slot because the host opted out is counted, and the first one logged.</summary>
    private void NoteIfSwitchlessOff(int contract, int function)
    {
        if (Switchless is null && ContractFor(contract) is { } descriptor
            && (uint)function < (uint)descriptor.Ocalls.Count && descriptor.Ocalls[function].Switchless)
        {
            Counters.FeatureOff(descriptor.Ocalls[function].Name, ecall: false);
        }
    }

    private void ServeLog(Slot slot, in SlotMessage message)
    {
        try
        {
            LogRecord record = LogMessage.Decode(slot.ReadPayload(message));
            Logs.Log(record.Level, record.Category, record.Message);
        }
        catch (MarshalException)
        {
            // A malformed log message is dropped; the enclave thread still gets its acknowledgement.
        }

        slot.Post(SlotState.ToEnclave, MessageKind.LogAck, 0, 0, 0, ReadOnlySpan<byte>.Empty);
    }

    /// <summary>An OCALL of this enclave being served on the current host thread.</summary>
    private sealed class HostFrame(RunnerEnclave enclave, Slot slot, HostFrame? parent)
    {
        public HostFrame? Parent => parent;

        public static Slot? Find(RunnerEnclave enclave)
        {
            for (HostFrame? f = t_frame; f is not null; f = f.Parent)
            {
                if (ReferenceEquals(f.Enclave, enclave))
                {
                    return f.Slot;
                }
            }

            return null;
        }

        private RunnerEnclave Enclave => enclave;

        private Slot Slot => slot;
    }
}
