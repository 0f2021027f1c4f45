using SecGear.Host.Engines;

namespace SecGear.Host.InProcess;

/// <summary>
/// The debug engine: loads the verified image's assemblies into a collectible load context in the host process.
/// Same generated code, copy semantics and EDL rules as the simulation engine, but no isolation.
/// </summary>
internal sealed class InProcessEngine : IEnclaveEngine
{
    public EnclaveType Type => EnclaveType.InProcess;

    public string Name => "inprocess";

    public bool IsAvailable => true;

    public int Priority => -100;

    public IEnclaveInstance Create(string imagePath, EnclaveFlags flags, EnclaveOptions options)
    {
        return new InProcessEnclave(imagePath, flags, options, EngineChecks.Switchless(Name, options));
    }
}
