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
    /// <summary>The largest evidence <see cref="GetEvidence"/> accepts from an enclave (real quotes and reports are a few kilobytes).</summary>
    public const int MaxEvidenceBytes = 1 << 20;

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

    /// <summary>
    /// True when the engine runs switchless calls for this enclave: the host configured <see cref="SwitchlessOptions"/>,
    /// or it said nothing and the enclave's contracts declare <c>transition_using_threads</c> functions (on by default).
    /// </summary>
    public bool IsSwitchless => _instance is ISwitchlessInstance { IsSwitchless: true };

    /// <summary>
    /// Switchless counters since creation (calls processed, fallbacks by reason, pool-full events, worker sleeps and
    /// wakes). With the feature off only <see cref="SwitchlessStatistics.FallbacksFeatureOff"/> (and the totals) can
    /// be non-zero. The same values are published by the <c>SecGear.Switchless</c> meter.
    /// </summary>
    public SwitchlessStatistics SwitchlessStatistics => (_instance as ISwitchlessInstance)?.SwitchlessStatistics ?? default;

    internal IEnclaveInstance Instance => _instance;

    /// <summary>The simulation runner's process id, or 0 for engines without a runner (tests and diagnostics).</summary>
    internal int RunnerProcessId => OperatingSystem.IsLinux() && _instance is Runner.RunnerEnclave simulated ? simulated.RunnerProcessId : 0;

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
        if (type == EnclaveType.Auto)
        {
            AutoChoice.Log(options.LoggerFactory, engine);
        }

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

    /// <summary>
    /// Asks the enclave itself, over the engine's host/enclave boundary, for evidence of its identity from its
    /// attesting platform, binding <paramref name="reportData"/> (at most 64 bytes, zero-padded; e.g. a verifier's
    /// nonce). Needs no contract: the trusted runtime serves it as a system call
    /// (<see cref="EnclaveSystemCall.GetEvidence"/>). Returns the evidence bytes (format recognised from content,
    /// e.g. <c>secgear-simulation</c> under the simulation and in-process engines).
    /// <para>
    /// The host chose these bytes, so the evidence binds them domain-separated: its report data is
    /// <see cref="HostReportData.Derive"/>(<paramref name="reportData"/>), never the bytes themselves. A verifier checks
    /// it with <c>AttestationPolicy.ExpectedHostReportData</c>. Evidence that binds a key the enclave holds (what a key
    /// broker releases secrets to) can only come from enclave code calling its platform itself, through an ECALL of
    /// your contract; this method cannot make it, so a host cannot bind its own key into genuine evidence.
    /// </para>
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="reportData"/> is longer than 64 bytes.</exception>
    /// <exception cref="EnclaveNotSupportedException">The engine or the enclave's platform cannot produce evidence.</exception>
    /// <exception cref="MarshalException">The enclave answered with no evidence or more than <see cref="MaxEvidenceBytes"/> bytes.</exception>
    /// <exception cref="EcallFailedException">The platform failed (e.g. its secret or attestation certificates are unusable).</exception>
    public byte[] GetEvidence(ReadOnlySpan<byte> reportData)
    {
        CheckReportData(reportData.Length);

        ThrowIfDisposed();
        if (_instance is not ISystemCallInstance engine)
        {
            throw new EnclaveNotSupportedException($"The {EngineName} engine does not carry system calls; it cannot produce evidence.");
        }

        var response = new BoundedBufferWriter(MaxEvidenceBytes);
        engine.SystemCall(EnclaveSystemCall.GetEvidence, reportData, response);
        return response.WrittenCount > 0
            ? response.ToArray()
            : throw new MarshalException("The enclave answered a GetEvidence system call with no evidence.");
    }

    /// <summary>The asynchronous form of <see cref="GetEvidence"/>: the calling thread does not wait for the enclave.</summary>
    /// <exception cref="ArgumentException"><paramref name="reportData"/> is longer than 64 bytes (thrown before the task starts).</exception>
    public Task<byte[]> GetEvidenceAsync(ReadOnlyMemory<byte> reportData, CancellationToken cancellationToken = default)
    {
        CheckReportData(reportData.Length);

        return Task.Run(() => GetEvidence(reportData.Span), cancellationToken);
    }

    /// <summary>Report data longer than the platform binds is the caller's mistake: refused before the enclave sees it.</summary>
    private static void CheckReportData(int length)
    {
        if (length > EvidenceLimits.MaxReportDataLength)
        {
            throw new ArgumentException($"Report data is {length} bytes; at most {EvidenceLimits.MaxReportDataLength} are allowed.", "reportData");
        }
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
