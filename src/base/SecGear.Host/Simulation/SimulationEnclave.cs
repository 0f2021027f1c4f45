using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using SecGear.Abi;
using SecGear.Host.Engines;
using SecGear.Host.Switchless;
using SecGear.Identity;
using SecGear.Images;
using SecGear.Simulation;
using SecGear.Switchless;

namespace SecGear.Host.Simulation;

/// <summary>
/// Host side of one simulated enclave: the runner process, the shared region and one slot per enclave thread.
/// A calling thread posts its ECALL to a free slot and waits on the slot's futex for the result; OCALLs the
/// enclave makes meanwhile arrive on that slot and run on the waiting thread, and ECALLs made from those OCALL
/// handlers (nested ECALLs) reuse the same slot, so they reach the same enclave thread. A dead runner is turned
/// into <see cref="EnclaveLostException"/> for every pending and later call.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed unsafe partial class SimulationEnclave : IEnclaveInstance, ISwitchlessInstance, ISystemCallInstance
{
    private const int LivenessCheckMs = 250;

    /// <summary>How long a shared-memory registration waits for a free enclave thread.</summary>
    private const int ControlSlotWaitMs = 10_000;

    [ThreadStatic]
    private static HostFrame? t_frame;

    private readonly Process _runner;
    private readonly SharedRegion _region;
    private readonly Slot[] _slots;
    private readonly int[] _slotBusy;
    private readonly SemaphoreSlim _threads;
    private readonly int _threadWaitMs;
    private readonly EnclaveOptions _options;
    private readonly EnclaveLogRouter _logs;
    private readonly Lock _bindLock = new();
    private readonly SwitchlessCounters _counters;
    private readonly IDisposable _metrics;
    private IOcallHandler?[] _ocallHandlers = [];
    private ContractDescriptor?[] _contracts = [];
    private MappedFile? _pool;
    private HostSwitchless? _switchless;
    private int _nextBuffer;
    private int _lost;
    private int _disposed;

    private SimulationEnclave(Process runner, SharedRegion region, StartupMessage startup, EnclaveOptions options, EnclaveLogRouter logs)
    {
        _runner = runner;
        _region = region;
        _options = options;
        _logs = logs;
        Manifest = startup.Manifest!;
        Identity = startup.Identity!;
        _slots = new Slot[region.SlotCount];
        for (int i = 0; i < _slots.Length; i++)
        {
            _slots[i] = region.CreateSlot(i, isHost: true);
        }

        _slotBusy = new int[_slots.Length];
        _threads = new SemaphoreSlim(_slots.Length, _slots.Length);
        _threadWaitMs = (int)Math.Min(int.MaxValue, options.ThreadWaitTimeout.TotalMilliseconds);
        _counters = new SwitchlessCounters(Manifest.Name, text => logs.Log((int)Microsoft.Extensions.Logging.LogLevel.Warning, "SecGear.Switchless", text));
        _metrics = SwitchlessMetrics.Register(Manifest.Name, () => SwitchlessStatistics);
    }

    public EnclaveIdentity Identity { get; }

    public EnclaveManifest Manifest { get; }

    /// <summary>Process id of the runner (for diagnostics and fault-injection tests).</summary>
    internal int RunnerProcessId => _runner.Id;

    /// <summary>The host's mapping of the switchless pool (fault-injection tests corrupt tasks through it).</summary>
    internal MappedFile? SwitchlessPool => _pool;

    public bool IsSwitchless => _switchless is not null;

    public SwitchlessCounters SwitchlessCounters => _counters;

    public SwitchlessStatistics SwitchlessStatistics => _switchless?.Statistics ?? _counters.Snapshot(default);

    public static SimulationEnclave Start(string imagePath, EnclaveFlags flags, EnclaveOptions options, SwitchlessConfig? switchless)
    {
        var logs = new EnclaveLogRouter(options.LoggerFactory);
        Process runner = Process.Start(CreateStartInfo(imagePath, flags, options, switchless))
            ?? throw new EnclaveLostException("The enclave runner process could not be started.");
        var stderr = new StringBuilder();
        runner.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (stderr)
            {
                if (stderr.Length < 16 * 1024)
                {
                    stderr.AppendLine(e.Data);
                }
            }

            logs.Log((int)Microsoft.Extensions.Logging.LogLevel.Warning, "SecGear.Runner", e.Data);
        };
        runner.BeginErrorReadLine();

        SimulationEnclave? enclave = null;
        string? regionPath = null;
        try
        {
            StartupMessage startup = ReadStartup(runner, options, logs, stderr);
            regionPath = startup.Region;
            EngineChecks.CheckDebugFlag(flags, startup.Manifest!);
            SharedRegion region = SharedRegion.Open(startup.Region!, startup.SlotCount, startup.SlotSize, startup.MaxPayload);

            // Both sides have mapped the region: its name is no longer needed by anyone.
            region.Unlink();
            enclave = new SimulationEnclave(runner, region, startup, options, logs);
            // Under the default-on rule the runner starts the pool only if the enclave's contracts ask for it.
            if (switchless is not null && startup.Switchless)
            {
                enclave.OpenSwitchless(switchless);
            }

            enclave.WatchRunner();
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
                Kill(runner);
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

    public int Bind(ContractDescriptor contract, IOcallHandler? ocalls)
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
            throw new MarshalException($"The enclave returned contract handle {handle}.");
        }

        lock (_bindLock)
        {
            IOcallHandler?[] handlers = _ocallHandlers;
            if (handle >= handlers.Length)
            {
                Array.Resize(ref handlers, handle + 1);
            }

            handlers[handle] = ocalls;
            Volatile.Write(ref _ocallHandlers, handlers);
            ContractDescriptor?[] contracts = _contracts;
            if (handle >= contracts.Length)
            {
                Array.Resize(ref contracts, handle + 1);
            }

            contracts[handle] = contract;
            Volatile.Write(ref _contracts, contracts);
        }

        return handle;
    }

    public void Call(int contract, IOcallHandler? ocalls, int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response) =>
        Exchange(MessageKind.Ecall, contract, functionId, request, response, ocalls, contract);

    public void SystemCall(Trusted.Runtime.EnclaveSystemCall call, ReadOnlySpan<byte> request, IBufferWriter<byte> response) =>
        Exchange(MessageKind.SystemCall, 0, (int)call, request, response, null, null);

    public void CallSwitchless(int contract, IOcallHandler? ocalls, int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        ThrowIfGone();

        // A call from an OCALL handler of a regular call stays on its enclave thread, where the allow list applies.
        bool nested = HostFrame.Find(this) is not null;
        if (nested && _switchless is not null)
        {
            _counters.EcallFallback(SwitchlessFallbackReason.Nested);
        }

        if (_switchless is null || nested)
        {
            Call(contract, ocalls, functionId, request, response);
        }
        else if (!_switchless.TryCall(contract, functionId, request, response))
        {
            long start = SwitchlessPacer.Now;
            Call(contract, ocalls, functionId, request, response);
            _switchless.ObserveRegular(SwitchlessPacer.Now - start);
        }
    }

    public ValueTask CallSwitchlessAsync(int contract, IOcallHandler? ocalls, int functionId, ReadOnlyMemory<byte> request, IBufferWriter<byte> response)
    {
        ThrowIfGone();
        bool nested = HostFrame.Find(this) is not null;
        if (_switchless is not null && !nested && _switchless.TryCallAsync(contract, functionId, request.Span, response) is { } pending)
        {
            return pending;
        }

        if (nested && _switchless is not null)
        {
            _counters.EcallFallback(SwitchlessFallbackReason.Nested);
        }

        long start = SwitchlessPacer.Now;
        Call(contract, ocalls, functionId, request.Span, response);
        if (_switchless is not null && !nested)
        {
            _switchless.ObserveRegular(SwitchlessPacer.Now - start);
        }

        return ValueTask.CompletedTask;
    }

    public SharedMemory AllocateSharedMemory(int size)
    {
        ThrowIfGone();
        if (size > _options.MaxPayloadBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"A shared buffer holds at most EnclaveOptions.MaxPayloadBytes ({_options.MaxPayloadBytes}) bytes.");
        }

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

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Stop(_runner);
        MarkLost();
        _metrics.Dispose();
        _switchless?.Dispose();
        _pool?.Dispose();
        _region.Dispose();
        OverflowFile.DeleteAll(_region.Path);
        _runner.Dispose();
    }

    private static ProcessStartInfo CreateStartInfo(string imagePath, EnclaveFlags flags, EnclaveOptions options, SwitchlessConfig? switchless)
    {
        string runner = options.RunnerPath ?? DefaultRunnerPath();
        if (!File.Exists(runner))
        {
            throw new EnclaveNotSupportedException($"The simulation engine cannot find its runner at '{runner}'. Reference SecGear.Host from the app project (it deploys the runner into secgear-runner/), or set EnclaveOptions.RunnerPath.");
        }

        var info = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        if (runner.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
        {
            info.FileName = DotnetHost();
            info.ArgumentList.Add("exec");
        }
        else
        {
            info.FileName = runner;
            runner = "";
        }

        if (runner.Length > 0)
        {
            info.ArgumentList.Add(runner);
        }

        info.ArgumentList.Add("--image");
        info.ArgumentList.Add(imagePath);
        info.ArgumentList.Add("--max-payload");
        info.ArgumentList.Add(options.MaxPayloadBytes.ToString(CultureInfo.InvariantCulture));
        if ((flags & EnclaveFlags.Debug) != 0)
        {
            info.ArgumentList.Add("--debug");
        }

        if (options.PlatformSecretPath is not null)
        {
            info.ArgumentList.Add("--platform-secret");
            info.ArgumentList.Add(options.PlatformSecretPath);
        }

        if (switchless is not null)
        {
            info.ArgumentList.Add("--switchless");
            info.ArgumentList.Add(switchless.ToArgument());
        }

        return info;
    }

    /// <summary>
    /// The runner deployed with its own dependencies in <c>secgear-runner/</c> beside SecGear.Host.dll (see
    /// SecGear.Host.csproj); an app laid out by other means may instead put SecGear.Runner.dll beside SecGear.Host.dll.
    /// </summary>
    private static string DefaultRunnerPath()
    {
        string directory = Path.GetDirectoryName(typeof(SimulationEnclave).Assembly.Location) is { Length: > 0 } dir ? dir : AppContext.BaseDirectory;
        string deployed = Path.Combine(directory, "secgear-runner", "SecGear.Runner.dll");
        string beside = Path.Combine(directory, "SecGear.Runner.dll");
        return File.Exists(deployed) || !File.Exists(beside) ? deployed : beside;
    }

    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        // The muxer of the runtime this host runs on: <root>/shared/Microsoft.NETCore.App/<version>/ -> <root>/dotnet.
        string muxer = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet"));
        return File.Exists(muxer) ? muxer : "dotnet";
    }

    private static StartupMessage ReadStartup(Process runner, EnclaveOptions options, EnclaveLogRouter logs, StringBuilder stderr)
    {
        // Log records the enclave writes while it starts (constructors) may precede the start-up message.
        var deadline = Stopwatch.StartNew();
        StartupMessage? startup = null;
        while (startup is null)
        {
            Task<string?> next = runner.StandardOutput.ReadLineAsync();
            TimeSpan left = options.StartTimeout - deadline.Elapsed;
            if (left <= TimeSpan.Zero || !next.Wait(left))
            {
                throw new EnclaveLostException($"The enclave runner did not report ready within {options.StartTimeout.TotalSeconds:0.#} s.");
            }

            string? line = next.Result;
            if (line is null)
            {
                // After the process has exited, the parameterless wait also drains the standard-error reader.
                if (runner.WaitForExit(2000))
                {
                    runner.WaitForExit();
                }

                string reason;
                lock (stderr)
                {
                    reason = stderr.ToString().Trim();
                }

                throw new EnclaveLostException($"The enclave runner exited before it was ready{(reason.Length > 0 ? ": " + reason : ".")}");
            }

            StartupMessage? message;
            try
            {
                message = JsonSerializer.Deserialize(line, ProtocolJson.Default.StartupMessage);
            }
            catch (JsonException ex)
            {
                throw new EnclaveLostException($"The enclave runner sent an unreadable start-up message: {ex.Message}", ex);
            }

            if (message is { Region: not null } or { Error: not null })
            {
                startup = message;
            }
            else if (JsonSerializer.Deserialize(line, ProtocolJson.Default.LogRecord) is { } record)
            {
                logs.Log(record.Level, record.Category, record.Message);
            }
        }

        switch (startup.Error)
        {
            case null:
                break;
            case "image":
                throw new EnclaveImageException(
                    Enum.TryParse(startup.ImageError, out EnclaveImageFailureCode reason) ? reason : EnclaveImageFailureCode.Unreadable,
                    $"The enclave runner refused the image: {startup.Message}");
            case "load":
                throw new EnclaveLoadException(startup.Message ?? "The enclave could not be loaded.");
            default:
                throw new EnclaveLostException($"The enclave runner failed to start: {startup.Message}");
        }

        if (startup.Region is null || !RegionName().IsMatch(startup.Region)
            || startup.Manifest is null || startup.Identity is null
            || startup.SlotCount != startup.Manifest.MaxThreads || startup.SlotCount is < 1 or > RegionLayout.MaxSlots
            || startup.SlotSize != RegionLayout.DefaultSlotSize || startup.MaxPayload != options.MaxPayloadBytes
            || startup.Identity.Measurement is not { Length: 32 } || startup.Identity.Signer is not { Length: 32 })
        {
            throw new EnclaveLostException("The enclave runner's start-up message is inconsistent.");
        }

        return startup;
    }

    private static void Stop(Process runner)
    {
        try
        {
            // End of file on its standard input tells the runner to exit at once.
            runner.StandardInput.Close();
            if (!runner.WaitForExit(2000))
            {
                runner.Kill();
                runner.WaitForExit(2000);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
            // Already exited, or never fully started: there is nothing left to stop.
            return;
        }
    }

    private static void Kill(Process runner)
    {
        try
        {
            runner.Kill();
            runner.WaitForExit(2000);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already exited.
            return;
        }
    }

    [GeneratedRegex("^/dev/shm/secgear-[0-9]+-[0-9a-f]{16}$")]
    private static partial Regex RegionName();

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
        if (*(ulong*)(header + PoolLayout.OffMagic) != PoolLayout.Magic
            || *(int*)(header + PoolLayout.OffVersion) != PoolLayout.Version
            || *(int*)(header + PoolLayout.OffTaskCount) != config.Tasks
            || *(int*)(header + PoolLayout.OffTaskSize) != config.TaskSize
            || *(int*)(header + PoolLayout.OffInline) != config.InlineCapacity)
        {
            throw new EnclaveLostException("The enclave's switchless pool header does not match the requested configuration.");
        }

        _switchless = new HostSwitchless(_pool.Pointer, _pool.Memory, config, _counters, HandlerFor, GoneError);
        _switchless.Start();
    }

    private IOcallHandler? HandlerFor(int contract)
    {
        IOcallHandler?[] handlers = Volatile.Read(ref _ocallHandlers);
        return (uint)contract < (uint)handlers.Length ? handlers[contract] : null;
    }

    private Exception? GoneError()
    {
        if (Volatile.Read(ref _disposed) != 0)
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
        if (Volatile.Read(ref _disposed) != 0 || Volatile.Read(ref _lost) != 0)
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

    private void WatchRunner()
    {
        _runner.EnableRaisingEvents = true;
        _runner.Exited += (_, _) => MarkLost();
        if (_runner.HasExited)
        {
            MarkLost();
        }

        var reader = new Thread(ReadRunnerOutput) { IsBackground = true, Name = $"SecGear runner {_runner.Id} output" };
        reader.Start();
    }

    private void ReadRunnerOutput()
    {
        try
        {
            StreamReader output = _runner.StandardOutput;
            while (output.ReadLine() is { } line)
            {
                try
                {
                    if (JsonSerializer.Deserialize(line, ProtocolJson.Default.LogRecord) is { } record)
                    {
                        _logs.Log(record.Level, record.Category, record.Message);
                    }
                }
                catch (JsonException)
                {
                    _logs.Log((int)Microsoft.Extensions.Logging.LogLevel.Warning, "SecGear.Runner", line);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // A throwing logger provider must not take the host down from this background thread.
                    continue;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The pipe closed under us: the runner is gone either way.
        }

        MarkLost();
    }

    private void MarkLost()
    {
        if (Interlocked.Exchange(ref _lost, 1) != 0)
        {
            return;
        }

        _switchless?.MarkDead();
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

    private void ThrowIfGone()
    {
        if (Volatile.Read(ref _disposed) != 0)
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
        if (request.Length > _options.MaxPayloadBytes)
        {
            throw new PayloadTooLargeException($"The request is {request.Length} bytes; the limit is {_options.MaxPayloadBytes}.");
        }

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
                        throw new MarshalException($"Slot {slot.Index}: the enclave sent an unexpected {message.Kind} message.");
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
        IOcallHandler?[] handlers = Volatile.Read(ref _ocallHandlers);
        IOcallHandler? handler = message.Contract == callContract ? ocalls
            : (uint)message.Contract < (uint)handlers.Length ? handlers[message.Contract] : null;
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
        ContractDescriptor?[] contracts = Volatile.Read(ref _contracts);
        if (_switchless is null && (uint)contract < (uint)contracts.Length && contracts[contract] is { } descriptor
            && (uint)function < (uint)descriptor.Ocalls.Count && descriptor.Ocalls[function].Switchless)
        {
            _counters.FeatureOff(descriptor.Ocalls[function].Name, ecall: false);
        }
    }

    private void ServeLog(Slot slot, in SlotMessage message)
    {
        try
        {
            LogRecord record = LogMessage.Decode(slot.ReadPayload(message));
            _logs.Log(record.Level, record.Category, record.Message);
        }
        catch (MarshalException)
        {
            // A malformed log message is dropped; the enclave thread still gets its acknowledgement.
        }

        slot.Post(SlotState.ToEnclave, MessageKind.LogAck, 0, 0, 0, ReadOnlySpan<byte>.Empty);
    }

    /// <summary>An OCALL of this enclave being served on the current host thread.</summary>
    private sealed class HostFrame(SimulationEnclave enclave, Slot slot, HostFrame? parent)
    {
        public HostFrame? Parent => parent;

        public static Slot? Find(SimulationEnclave enclave)
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

        private SimulationEnclave Enclave => enclave;

        private Slot Slot => slot;
    }
}
