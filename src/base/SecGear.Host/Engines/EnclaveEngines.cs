using SecGear.Host.InProcess;
using SecGear.Host.Simulation;

namespace SecGear.Host.Engines;

/// <summary>The engine registry. The simulation, in-process and confidential-VM engines are registered from the start.</summary>
public static class EnclaveEngines
{
    private static readonly Lock Gate = new();
    private static IEnclaveEngine[] s_engines = [new SimulationEngine(), new InProcessEngine(), new ConfidentialVm.ConfidentialVmEngine()];

    /// <summary>Every registered engine.</summary>
    public static IReadOnlyList<IEnclaveEngine> All => Volatile.Read(ref s_engines);

    /// <summary>Registers <paramref name="engine"/>, replacing an engine with the same name.</summary>
    public static void Register(IEnclaveEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        if (engine.Type == EnclaveType.Auto)
        {
            throw new ArgumentException("An engine implements a concrete enclave type, not Auto.", nameof(engine));
        }

        lock (Gate)
        {
            s_engines = [.. s_engines.Where(e => e.Name != engine.Name), engine];
        }
    }

    /// <summary>
    /// The engine for <paramref name="type"/>: for <see cref="EnclaveType.Auto"/>, the available engine with the
    /// highest priority that isolates the enclave (never the in-process debug engine).
    /// </summary>
    /// <exception cref="EnclaveNotSupportedException">No available engine implements that type.</exception>
    public static IEnclaveEngine Resolve(EnclaveType type)
    {
        IEnumerable<IEnclaveEngine> candidates = All.Where(e => e.IsAvailable);
        candidates = type == EnclaveType.Auto
            ? candidates.Where(e => e.Type != EnclaveType.InProcess)
            : candidates.Where(e => e.Type == type);
        return candidates.OrderByDescending(e => e.Priority).FirstOrDefault()
            ?? throw new EnclaveNotSupportedException($"No available engine runs {type} enclaves on this machine.");
    }
}
