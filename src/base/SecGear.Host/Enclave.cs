using SecGear.Abi;
using SecGear.Host.Engines;
using SecGear.Identity;
using SecGear.Images;

namespace SecGear.Host;

/// <summary>
/// An enclave created from a signed image by one engine. Thread-safe: any number of threads may call into it at
/// once (up to the manifest's thread count). After <see cref="Dispose"/>, and for calls racing with it, calls fail
/// with <see cref="EnclaveDisposedException"/>; disposing twice is harmless.
/// </summary>
public sealed class Enclave : IEnclaveConnection, IDisposable, IAsyncDisposable
{
    private readonly IEnclaveInstance _instance;
    private int _disposed;

    private Enclave(IEnclaveEngine engine, IEnclaveInstance instance)
    {
        Type = engine.Type;
        EngineName = engine.Name;
        _instance = instance;
    }

    /// <summary>The engine type running this enclave.</summary>
    public EnclaveType Type { get; }

    /// <summary>The engine's name.</summary>
    public string EngineName { get; }

    /// <summary>The identity of the verified image, as the enclave side computed it.</summary>
    public EnclaveIdentity Identity => _instance.Identity;

    /// <summary>The image's signed manifest.</summary>
    public EnclaveManifest Manifest => _instance.Manifest;

    /// <summary>True when the enclave was created with <see cref="SwitchlessOptions"/> and its engine runs switchless calls.</summary>
    public bool IsSwitchless => _instance is ISwitchlessInstance { SwitchlessStatistics: not null };

    /// <summary>
    /// Switchless counters since creation (calls processed, fallbacks, pool-full events, worker sleeps and wakes); all
    /// zero when <see cref="IsSwitchless"/> is false. The same values are published by the <c>SecGear.Switchless</c> meter.
    /// </summary>
    public SwitchlessStatistics SwitchlessStatistics => (_instance as ISwitchlessInstance)?.SwitchlessStatistics ?? default;

    internal IEnclaveInstance Instance => _instance;

    /// <summary>The simulation runner's process id, or 0 for engines without a runner (tests and diagnostics).</summary>
    internal int RunnerProcessId => OperatingSystem.IsLinux() && _instance is Simulation.SimulationEnclave simulated ? simulated.RunnerProcessId : 0;

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Creates an enclave from the signed image at <paramref name="imagePath"/>.</summary>
    /// <exception cref="EnclaveImageException">The image is unreadable, tampered with or badly signed.</exception>
    /// <exception cref="EnclaveLoadException">The image verifies but does not form a valid enclave.</exception>
    /// <exception cref="EnclaveNotSupportedException">No engine of that type is available, or a feature is unsupported.</exception>
    public static Enclave Create(string imagePath, EnclaveType type = EnclaveType.Auto, EnclaveFlags flags = EnclaveFlags.None, EnclaveOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(imagePath);
        options ??= new EnclaveOptions();
        options.Validate();
        IEnclaveEngine engine = EnclaveEngines.Resolve(type);
        IEnclaveInstance instance = engine.Create(Path.GetFullPath(imagePath), flags, options);
        return new Enclave(engine, instance);
    }

    /// <summary>Creates an enclave without blocking the caller (the simulation engine starts a process).</summary>
    public static Task<Enclave> CreateAsync(string imagePath, EnclaveType type = EnclaveType.Auto, EnclaveFlags flags = EnclaveFlags.None, EnclaveOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Create(imagePath, type, flags, options), cancellationToken);

    /// <inheritdoc />
    public IEnclaveChannel Bind(ContractDescriptor contract, IOcallHandler? ocalls)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ThrowIfDisposed();
        int handle = _instance.Bind(contract, ocalls);
        return new EnclaveChannel(this, handle, contract, ocalls);
    }

    /// <summary>
    /// Allocates <paramref name="size"/> bytes mapped both in the host and in this enclave (secGear's
    /// <c>cc_malloc_shared_memory</c>). Pass <see cref="SharedMemory.Token"/> to a <c>[user_check]</c> parameter to give
    /// the enclave the same bytes with no copy; dispose the buffer to free it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not between 1 byte and <see cref="EnclaveOptions.MaxPayloadBytes"/>.</exception>
    /// <exception cref="EnclaveNotSupportedException">The engine has no shared memory.</exception>
    public SharedMemory AllocateSharedMemory(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        ThrowIfDisposed();
        return _instance is ISwitchlessInstance engine
            ? engine.AllocateSharedMemory(size)
            : throw new EnclaveNotSupportedException($"The {EngineName} engine does not implement shared memory.");
    }

    /// <summary>Destroys the enclave. Calls in flight fail with <see cref="EnclaveDisposedException"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _instance.Dispose();
        }
    }

    /// <summary>Destroys the enclave without blocking the caller while the engine stops (the runner process exits).</summary>
    public ValueTask DisposeAsync() =>
        IsDisposed ? ValueTask.CompletedTask : new ValueTask(Task.Run(Dispose));

    internal void ThrowIfDisposed()
    {
        if (IsDisposed)
        {
            throw new EnclaveDisposedException($"Enclave '{Manifest.Name}' has been disposed.");
        }
    }
}
