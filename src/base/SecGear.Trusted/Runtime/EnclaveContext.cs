using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using SecGear.Abi;
using SecGear.Identity;
using SecGear.Images;
using SecGear.Trusted.Platform;
using SecGear.Trusted.Sealing;
using SecGear.Trusted.SharedMemory;

namespace SecGear.Trusted.Runtime;

/// <summary>
/// What enclave code gets from the trusted runtime: the OCALL channel of its contract, its own identity, a logger
/// whose messages reach the host's logger factory, sealing and trusted randomness. An implementation receives it
/// through a constructor taking <see cref="EnclaveContext"/>.
/// </summary>
public sealed class EnclaveContext
{
    private readonly EnclaveRuntime _runtime;

    internal EnclaveContext(EnclaveRuntime runtime, int contract, ContractDescriptor descriptor)
    {
        _runtime = runtime;
        Contract = descriptor;
        Ocalls = new OcallChannel(runtime, contract, descriptor);
        Logger = runtime.CreateLogger(runtime.Manifest.Name);
        Sealer = new EnclaveSealer(runtime.Platform);
        Random = new PlatformRandom(runtime.Platform);
    }

    /// <summary>The contract this context belongs to.</summary>
    public ContractDescriptor Contract { get; }

    /// <summary>Carries this contract's OCALLs to the host (generated OCALL proxies take it).</summary>
    public IOcallChannel Ocalls { get; }

    /// <summary>The enclave's identity, computed by the runtime from the image it verified.</summary>
    public EnclaveIdentity Identity => _runtime.Identity;

    /// <summary>The enclave's signed manifest.</summary>
    public EnclaveManifest Manifest => _runtime.Manifest;

    /// <summary>Seals data to this enclave's identity (measurement or signer policy) with the platform's keys.</summary>
    public EnclaveSealer Sealer { get; }

    /// <summary>Cryptographically secure randomness from the platform.</summary>
    public RandomNumberGenerator Random { get; }

    /// <summary>The TEE services behind <see cref="Sealer"/> and <see cref="Random"/>.</summary>
    public ITrustedPlatform Platform => _runtime.Platform;

    /// <summary>A logger named after the enclave; messages go to the host's logger factory.</summary>
    public ILogger Logger { get; }

    /// <summary>
    /// Resolves a host shared-memory token (what the host passed to a <c>[user_check]</c> parameter) into a view of
    /// the same bytes, with no copy. Dispose the view when done. The bytes are hostile: copy what you validate.
    /// </summary>
    /// <exception cref="SharedMemoryException">The token is unknown, freed, or belongs to another enclave.</exception>
    public UntrustedBuffer OpenSharedMemory(nint token) => _runtime.SharedMemory.Open(token);

    /// <summary>Creates a logger for <paramref name="category"/>; messages go to the host's logger factory.</summary>
    public ILogger CreateLogger(string category) => _runtime.CreateLogger(category);
}
