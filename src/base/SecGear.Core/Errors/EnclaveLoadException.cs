namespace SecGear;

/// <summary>
/// A verified enclave image could not be started: its entry assembly declares no contract, an ECALL interface has
/// no single implementation, or the implementation's constructor failed.
/// </summary>
public sealed class EnclaveLoadException(string message, Exception? innerException = null)
    : SecGearException(EnclaveStatus.InvalidImage, message, innerException);
