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
