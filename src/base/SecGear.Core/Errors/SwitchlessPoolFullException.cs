namespace SecGear;

/// <summary>
/// A switchless call found every task of the pool in use and the enclave was created without rollback to a regular
/// call (<c>SwitchlessOptions.RollbackToRegularCall</c>). Nothing was sent; the call may be retried.
/// </summary>
public sealed class SwitchlessPoolFullException(string message) : SecGearException(EnclaveStatus.SwitchlessPoolFull, message);
