namespace SecGear.Host.Engines;

/// <summary>
/// One TEE backend (the analogue of secGear's <c>cc_enclave_ops</c>): creates enclaves of one type. Engines are
/// registered with <see cref="EnclaveEngines.Register"/>.
/// </summary>
public interface IEnclaveEngine
{
    /// <summary>The enclave type this engine implements.</summary>
    EnclaveType Type { get; }

    /// <summary>Short engine name (e.g. "simulation").</summary>
    string Name { get; }

    /// <summary>True when this machine can run the engine's enclaves.</summary>
    bool IsAvailable { get; }

    /// <summary><see cref="EnclaveType.Auto"/> picks the available engine with the highest priority.</summary>
    int Priority { get; }

    /// <summary>Creates an enclave from the signed image at <paramref name="imagePath"/>.</summary>
    IEnclaveInstance Create(string imagePath, EnclaveFlags flags, EnclaveOptions options);
}
