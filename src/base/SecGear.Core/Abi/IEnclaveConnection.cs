namespace SecGear.Abi;

/// <summary>
/// Something a generated host proxy can bind to: an enclave (any engine) or a test loopback.
/// </summary>
public interface IEnclaveConnection
{
    /// <summary>
    /// Binds a contract: checks that the enclave implements a contract with the same name and hash
    /// (else <see cref="ContractMismatchException"/>) and registers the host's OCALL handler for it.
    /// </summary>
    /// <param name="contract">The host's view of the contract (generated).</param>
    /// <param name="ocalls">Handles this contract's OCALLs; null when the contract has none or the host refuses them.</param>
    IEnclaveChannel Bind(ContractDescriptor contract, IOcallHandler? ocalls);
}
