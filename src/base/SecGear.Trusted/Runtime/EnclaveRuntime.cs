using System.Buffers;
using System.Reflection;
using Microsoft.Extensions.Logging;
using SecGear.Abi;
using SecGear.Identity;
using SecGear.Images;
using SecGear.Trusted.Platform;
using SecGear.Trusted.SharedMemory;

namespace SecGear.Trusted.Runtime;

/// <summary>
/// The trusted runtime shared by every engine: loads the enclave's assemblies from a verified image, instantiates the
/// implementation of each contract the entry assembly declares, and dispatches ECALLs under the EDL rules (public
/// ECALLs from the host; private ECALLs only while an OCALL whose <c>allow</c> list names them is in progress).
/// The engine copies request bytes out of untrusted memory before calling <see cref="Ecall"/>.
/// </summary>
public sealed class EnclaveRuntime : IDisposable
{
    /// <summary>The most report data <see cref="EnclaveSystemCall.GetEvidence"/> binds into evidence.</summary>
    public const int MaxReportDataLength = EvidenceLimits.MaxReportDataLength;

    private readonly IEnclaveHostBridge _host;
    private readonly EnclaveRuntimeOptions _options;
    private readonly EnclaveLoadContext _loadContext;
    private readonly SimulatedPlatform? _ownPlatform;
    private readonly List<IEcallHandler> _handlers = [];
    private readonly List<ContractDescriptor> _contracts = [];
    private int _disposed;

    private EnclaveRuntime(EnclaveImage image, IEnclaveHostBridge host, EnclaveRuntimeOptions options)
    {
        Image = image;
        _host = host;
        _options = options;
        _loadContext = new EnclaveLoadContext(image);
        if (options.Platform is null)
        {
            _ownPlatform = new SimulatedPlatform(
                image.Identity,
                new SimulatedPlatformOptions { SecretPath = options.PlatformSecretPath ?? SimulatedPlatformOptions.DefaultSecretPath, Isolated = options.Isolated });
            Platform = _ownPlatform;
        }
        else
        {
            Platform = options.Platform;
        }
    }

    /// <summary>The verified image this runtime runs.</summary>
    public EnclaveImage Image { get; }

    /// <summary>The enclave's identity, as computed when the image was verified.</summary>
    public EnclaveIdentity Identity => Image.Identity;

    /// <summary>The enclave's manifest.</summary>
    public EnclaveManifest Manifest => Image.Manifest;

    /// <summary>The TEE services (sealing keys, randomness) of this enclave.</summary>
    public ITrustedPlatform Platform { get; }

    /// <summary>The runtime's settings.</summary>
    public EnclaveRuntimeOptions Options => _options;

    /// <summary>The host-allocated shared buffers the engine has mapped into this enclave.</summary>
    public SharedMemoryTable SharedMemory { get; } = new();

    /// <summary>The contracts the enclave implements, indexed by contract handle.</summary>
    public IReadOnlyList<ContractDescriptor> Contracts => _contracts;

    /// <summary>True when an ECALL of this enclave is in progress on the current thread (an OCALL may be, too).</summary>
    public bool HasCallOnCurrentThread => CallFrame.Innermost(this) is not null;

    /// <summary>
    /// Loads the enclave's entry assembly and instantiates the implementation of every contract it declares with
    /// <see cref="EnclaveContractAttribute"/>.
    /// </summary>
    /// <exception cref="EnclaveLoadException">The image does not form a valid enclave.</exception>
    public static EnclaveRuntime Start(EnclaveImage image, IEnclaveHostBridge host, EnclaveRuntimeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(host);
        var runtime = new EnclaveRuntime(image, host, options ?? new EnclaveRuntimeOptions());
        try
        {
            runtime.LoadContracts();
            return runtime;
        }
        catch
        {
            runtime.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Finds the contract named <paramref name="name"/> and checks that its hash equals <paramref name="hash"/>;
    /// returns the contract handle that <see cref="Ecall"/> takes.
    /// </summary>
    /// <exception cref="ContractNotFoundException">The enclave implements no contract of that name.</exception>
    /// <exception cref="ContractMismatchException">The enclave's contract of that name has another hash.</exception>
    public int Bind(string name, ReadOnlySpan<byte> hash)
    {
        ArgumentNullException.ThrowIfNull(name);
        for (int i = 0; i < _contracts.Count; i++)
        {
            ContractDescriptor c = _contracts[i];
            if (!string.Equals(c.Name, name, StringComparison.Ordinal))
            {
                continue;
            }

            if (!hash.SequenceEqual(c.Hash))
            {
                throw new ContractMismatchException(
                    $"The enclave implements contract '{name}' with hash {c.HashHex}, the host expects {Convert.ToHexStringLower(hash)}: host and enclave were built from different EDL.");
            }

            return i;
        }

        throw new ContractNotFoundException($"Enclave '{Manifest.Name}' does not implement contract '{name}'.");
    }

    /// <summary>
    /// Runs ECALL <paramref name="functionId"/> of contract <paramref name="contract"/> on the current thread.
    /// <paramref name="request"/> must already be private memory (copied out of any shared region).
    /// Exceptions thrown by the implementation propagate unchanged from a debug enclave; otherwise they become an
    /// <see cref="EcallFailedException"/> with the type name only (the message is logged inside the enclave). The engine
    /// turns either into the host's error.
    /// </summary>
    /// <exception cref="CallNotAllowedException">Unknown function, or a private ECALL no in-progress OCALL allows.</exception>
    public void Ecall(int contract, int functionId, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        ArgumentNullException.ThrowIfNull(response);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if ((uint)contract >= (uint)_contracts.Count)
        {
            throw new ContractNotFoundException($"No contract is bound under handle {contract}.");
        }

        ContractDescriptor descriptor = _contracts[contract];
        if ((uint)functionId >= (uint)descriptor.Ecalls.Count)
        {
            throw new CallNotAllowedException($"Contract '{descriptor.Name}' has no ECALL with id {functionId}.");
        }

        FunctionDescriptor function = descriptor.Ecalls[functionId];
        CallFrame? outer = CallFrame.Innermost(this);
        if (outer is null)
        {
            if (!function.IsPublic)
            {
                throw new CallNotAllowedException(
                    $"ECALL '{function.Name}' is private: it may only run while an OCALL whose allow list names it is in progress.");
            }
        }
        else if (!outer.IsOcall)
        {
            throw new CallNotAllowedException($"ECALL '{function.Name}' was made while an ECALL runs on this thread without an OCALL in progress.");
        }
        else if (outer.Contract != contract || !descriptor.IsNestedEcallAllowed(outer.Function, functionId))
        {
            string ocall = _contracts[outer.Contract].Ocalls[outer.Function].Name;
            throw new CallNotAllowedException($"ECALL '{function.Name}' is not in the allow list of OCALL '{ocall}', which is in progress.");
        }

        int depth = (outer?.Depth ?? 0) + 1;
        if (depth > _options.MaxNestingDepth * 2)
        {
            throw new CallNotAllowedException($"ECALL '{function.Name}' would nest deeper than {_options.MaxNestingDepth} ECALLs on one thread.");
        }

        CallFrame frame = CallFrame.Push(this, isOcall: false, contract, functionId, depth);
        try
        {
            _handlers[contract].Dispatch(functionId, request, response);
        }
        catch (Exception ex) when (!_options.Debug && EcallErrorDisclosure.IsFromEnclaveCode(ex))
        {
            throw EcallErrorDisclosure.Withhold(ex, function.Name, CreateLogger(EcallErrorDisclosure.LogCategory));
        }
        finally
        {
            frame.Pop();
        }
    }

    /// <summary>
    /// Runs system call <paramref name="call"/> (served by the runtime itself, not by a contract) on the current
    /// thread. <paramref name="request"/> must already be private memory and is treated as hostile: every length is
    /// checked before use. A system call may run at top level or while an OCALL of this thread is in progress.
    /// </summary>
    /// <exception cref="CallNotAllowedException">The system call id is unknown.</exception>
    /// <exception cref="MarshalException">The request is malformed (e.g. report data longer than <see cref="MaxReportDataLength"/> bytes).</exception>
    /// <exception cref="EnclaveNotSupportedException">The enclave's platform cannot produce evidence.</exception>
    public void SystemCall(EnclaveSystemCall call, ReadOnlySpan<byte> request, IBufferWriter<byte> response)
    {
        ArgumentNullException.ThrowIfNull(response);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        switch (call)
        {
            case EnclaveSystemCall.GetEvidence:
                GetEvidence(request, response);
                break;
            default:
                throw new CallNotAllowedException($"The trusted runtime has no system call with id {(int)call}.");
        }
    }

    /// <summary>Creates a logger whose messages go to the host's logger factory under <paramref name="category"/>.</summary>
    public ILogger CreateLogger(string category)
    {
        ArgumentException.ThrowIfNullOrEmpty(category);
        return new EnclaveLogger(category, _host, _options.Debug);
    }

    /// <summary>Unloads the enclave's assemblies once nothing references them any more.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            SharedMemory.Clear();
            _loadContext.Unload();
            _ownPlatform?.Dispose();
        }
    }

    internal void Ocall(int contract, FunctionDescriptor function, ReadOnlySpan<byte> request, IBufferWriter<byte> response, bool switchless = false)
    {
        CallFrame? outer = CallFrame.Innermost(this);
        if (outer is null || outer.IsOcall)
        {
            throw new CallNotAllowedException($"OCALL '{function.Name}' was made outside an ECALL; only an enclave thread serving an ECALL can call out.");
        }

        if (request.Length > _options.MaxPayloadBytes)
        {
            throw new PayloadTooLargeException($"OCALL '{function.Name}' request is {request.Length} bytes; the limit is {_options.MaxPayloadBytes}.");
        }

        CallFrame frame = CallFrame.Push(this, isOcall: true, contract, function.Id, outer.Depth + 1);
        try
        {
            if (switchless && _host is ISwitchlessHostBridge pool)
            {
                pool.OcallSwitchless(contract, function, request, response);
            }
            else
            {
                _host.Ocall(contract, function, request, response);
            }
        }
        finally
        {
            frame.Pop();
        }
    }

    private void GetEvidence(ReadOnlySpan<byte> reportData, IBufferWriter<byte> response)
    {
        if (reportData.Length > MaxReportDataLength)
        {
            throw new MarshalException($"A GetEvidence system call carries {reportData.Length} bytes of report data; at most {MaxReportDataLength} are allowed.");
        }

        if (Platform is not IAttestingPlatform platform)
        {
            throw new EnclaveNotSupportedException($"The platform of enclave '{Manifest.Name}' ({Platform.GetType().Name}) cannot produce evidence.");
        }

        // The host chose these bytes: bind them domain-separated, never as they are, so host-requested evidence
        // cannot pass for evidence in which enclave code bound its own key (HostReportData).
        byte[] evidence = platform.GetEvidence(HostReportData.Derive(reportData));
        evidence.CopyTo(response.GetSpan(evidence.Length));
        response.Advance(evidence.Length);
    }

    private void LoadContracts()
    {
        Assembly entry;
        try
        {
            entry = _loadContext.LoadImageAssembly(Image.EntryAssembly);
        }
        catch (BadImageFormatException ex)
        {
            throw new EnclaveLoadException($"The entry assembly '{Manifest.EntryAssembly}' is not a valid .NET assembly: {ex.Message}", ex);
        }

        EnclaveContractAttribute[] declared = [.. entry.GetCustomAttributes<EnclaveContractAttribute>()];
        if (declared.Length == 0)
        {
            throw new EnclaveLoadException($"The entry assembly '{Manifest.EntryAssembly}' declares no [assembly: EnclaveContract]; it implements no contract.");
        }

        Type[] exported = entry.GetExportedTypes();
        foreach (EnclaveContractAttribute attribute in declared)
        {
            IEcallFactory factory = CreateFactory(attribute.FactoryType);
            ContractDescriptor contract = factory.Contract;
            if (_contracts.Exists(c => c.Name == contract.Name))
            {
                throw new EnclaveLoadException($"The enclave declares contract '{contract.Name}' twice.");
            }

            int handle = _contracts.Count;
            object implementation = CreateImplementation(factory, contract, handle, exported);
            IEcallHandler handler = factory.Create(implementation);
            if (handler.Contract.Name != contract.Name || !handler.Contract.Hash.AsSpan().SequenceEqual(contract.Hash))
            {
                throw new EnclaveLoadException($"The ECALL handler of contract '{contract.Name}' describes another contract ('{handler.Contract.Name}').");
            }

            _contracts.Add(contract);
            _handlers.Add(handler);
        }
    }

    private static IEcallFactory CreateFactory(Type factoryType)
    {
        if (!typeof(IEcallFactory).IsAssignableFrom(factoryType) || factoryType.GetConstructor(Type.EmptyTypes) is not { } constructor)
        {
            throw new EnclaveLoadException($"'{factoryType.FullName}' named by [assembly: EnclaveContract] is not an IEcallFactory with a public parameterless constructor.");
        }

        return (IEcallFactory)constructor.Invoke(null);
    }

    private object CreateImplementation(IEcallFactory factory, ContractDescriptor contract, int handle, Type[] exported)
    {
        Type ecalls = factory.EcallInterface;
        Type[] candidates = [.. exported.Where(t => t.IsClass && !t.IsAbstract && ecalls.IsAssignableFrom(t))];
        if (candidates.Length != 1)
        {
            string found = candidates.Length == 0 ? "none" : string.Join(", ", candidates.Select(t => t.FullName));
            throw new EnclaveLoadException(
                $"Contract '{contract.Name}' needs exactly one public non-abstract class implementing {ecalls.FullName} in the entry assembly; found {found}.");
        }

        Type type = candidates[0];
        ConstructorInfo? withContext = type.GetConstructor([typeof(EnclaveContext)]);
        ConstructorInfo constructor = withContext
            ?? type.GetConstructor(Type.EmptyTypes)
            ?? throw new EnclaveLoadException($"{type.FullName} needs a public constructor taking () or (EnclaveContext).");

        try
        {
            return constructor.Invoke(withContext is null ? null : [new EnclaveContext(this, handle, contract)]);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            throw new EnclaveLoadException($"The constructor of {type.FullName} threw {ex.InnerException.GetType().FullName}: {ex.InnerException.Message}", ex.InnerException);
        }
    }
}
