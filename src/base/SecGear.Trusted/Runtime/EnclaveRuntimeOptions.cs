using SecGear.Trusted.Platform;

namespace SecGear.Trusted.Runtime;

/// <summary>Settings of an <see cref="EnclaveRuntime"/>, chosen by the engine that starts it.</summary>
public sealed class EnclaveRuntimeOptions
{
    /// <summary>Default payload limit: 64 MiB.</summary>
    public const int DefaultMaxPayloadBytes = 64 * 1024 * 1024;

    /// <summary>Largest OCALL request the enclave may send, in bytes.</summary>
    public int MaxPayloadBytes { get; init; } = DefaultMaxPayloadBytes;

    /// <summary>Deepest ECALL → OCALL → ECALL nesting allowed on one enclave thread.</summary>
    public int MaxNestingDepth { get; init; } = 64;

    /// <summary>
    /// The enclave was created with the debug flag: errors that leave the enclave may carry stack traces.
    /// </summary>
    public bool Debug { get; init; }

    /// <summary>Where the simulated platform keeps its per-machine secret; null for the platform's default.</summary>
    public string? PlatformSecretPath { get; init; }

    /// <summary>False when the runtime runs inside its host's process; the simulated platform's evidence then says so.</summary>
    public bool Isolated { get; init; } = true;

    /// <summary>
    /// The TEE services (sealing keys, randomness) enclave code gets; null for a <see cref="SimulatedPlatform"/> bound to
    /// the identity the runtime verified. Hardware engines supply theirs.
    /// </summary>
    public ITrustedPlatform? Platform { get; init; }
}
