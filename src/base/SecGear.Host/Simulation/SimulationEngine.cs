using SecGear.Host.Engines;
using SecGear.Host.Runner;

namespace SecGear.Host.Simulation;

/// <summary>
/// The default engine without TEE hardware: each enclave runs in its own SecGear.Runner process, which verifies and
/// loads the image itself; host and runner share a memory region and wake each other with futexes.
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

        return RunnerEnclave.Start(imagePath, flags, options, EngineChecks.Switchless(Name, options));
    }
}
