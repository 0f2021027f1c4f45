using SecGear.Switchless;

namespace SecGear.Host.Runner;

/// <summary>
/// What an engine that runs the enclave in a SecGear.Runner process says about that process: everything else (image
/// verification in the runner, the shared region, calls, OCALLs, the switchless pool, shared buffers, supervision) is
/// the same for every such engine. The simulation engine passes its platform secret here; a hardware engine passes
/// the arguments that make the runner use the hardware's platform services instead of the simulated ones.
/// </summary>
/// <param name="Engine">The engine's name, for messages (e.g. "simulation").</param>
/// <param name="ImagePath">The signed enclave image.</param>
/// <param name="Flags">The creation flags (<see cref="EnclaveFlags.Debug"/> is passed on).</param>
/// <param name="Switchless">The switchless settings; null when the host opted out.</param>
/// <param name="PlatformArguments">Runner arguments that choose and configure the enclave's platform services.</param>
internal sealed record RunnerLaunch(string Engine, string ImagePath, EnclaveFlags Flags, SwitchlessConfig? Switchless, IReadOnlyList<string> PlatformArguments);
