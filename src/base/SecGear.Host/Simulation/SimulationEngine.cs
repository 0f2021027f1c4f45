using SecGear.Host.Engines;
using SecGear.Host.Runner;

namespace SecGear.Host.Simulation;

/// <summary>
/// The default engine without TEE hardware: each enclave runs in its own SecGear.Runner process, which verifies and
/// loads the image itself; host and runner share a memory region and wake each other with futexes. All of that is
/// <see cref="RunnerEnclave"/>'s; what makes this engine the simulation is the runner's platform: the simulated one,
/// keyed by the per-machine platform secret.
/// </summary>
internal sealed class SimulationEngine : IEnclaveEngine
{
    public EnclaveType Type => EnclaveType.Simulation;

    public string Name => "simulation";

    public bool IsAvailable => OperatingSystem.IsLinux() && SecGear.Transport.Futex.IsSupported && Directory.Exists("/dev/shm");

    public int Priority => 0;

    public IEnclaveInstance Create(string imagePath, EnclaveFlags flags, EnclaveOptions options)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new EnclaveNotSupportedException("The simulation engine runs on Linux only.");
        }

        string[] platform = options.PlatformSecretPath is null ? [] : ["--platform-secret", options.PlatformSecretPath];
        return RunnerEnclave.Start(new RunnerLaunch(Name, imagePath, flags, EngineChecks.Switchless(Name, options), platform), options);
    }
}
