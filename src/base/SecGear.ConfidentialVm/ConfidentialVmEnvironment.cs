namespace SecGear.ConfidentialVm;

/// <summary>
/// Environment variables that point the engine (host detection and runner alike; the runner inherits the host's
/// environment) at another configfs-tsm than the kernel's.
/// </summary>
public static class ConfidentialVmEnvironment
{
    /// <summary>Report root to use instead of <c>/sys/kernel/config/tsm/report</c>.</summary>
    public const string TsmRoot = "SECGEAR_CVM_TSM_ROOT";

    /// <summary>
    /// Path of an emulation description (<see cref="Emulation.EmulatedTsmReport.Load"/>): the engine then talks to an
    /// in-process emulated configfs-tsm serving a recorded outblob. For tests and trying the engine without hardware;
    /// evidence produced this way never verifies as bound hardware evidence.
    /// </summary>
    public const string Emulation = "SECGEAR_CVM_EMULATION";
}
