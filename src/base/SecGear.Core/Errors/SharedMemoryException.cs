namespace SecGear;

/// <summary>
/// A shared-memory buffer cannot be used: its token is unknown, it was freed, it belongs to another enclave, or an
/// access falls outside it or breaks the 8-byte write rule.
/// </summary>
public sealed class SharedMemoryException(string message) : SecGearException(EnclaveStatus.SharedMemoryInvalid, message);
