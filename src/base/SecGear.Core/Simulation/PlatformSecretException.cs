namespace SecGear.Simulation;

/// <summary>
/// The simulated platform secret file is unusable: wrong permissions, wrong size, or it cannot be created or read.
/// The message names the file and what to do; it never contains secret bytes.
/// </summary>
public sealed class PlatformSecretException(string message, Exception? innerException = null)
    : SecGearException(EnclaveStatus.InvalidArgument, message, innerException);
