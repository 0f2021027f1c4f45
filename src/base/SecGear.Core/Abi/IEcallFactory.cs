namespace SecGear.Abi;

/// <summary>
/// Enclave side, generated per contract: creates the contract's <see cref="IEcallHandler"/> around the
/// enclave's implementation of the ECALL interface. The generator marks the enclave assembly with
/// <see cref="EnclaveContractAttribute"/> naming this type, so the trusted runtime finds every contract
/// the enclave implements without guessing.
/// </summary>
public interface IEcallFactory
{
    /// <summary>The enclave's view of the contract.</summary>
    ContractDescriptor Contract { get; }

    /// <summary>The generated ECALL interface (<c>I{Contract}Ecalls</c>) the enclave must implement.</summary>
    Type EcallInterface { get; }

    /// <summary>Wraps <paramref name="implementation"/> (an instance of <see cref="EcallInterface"/>).</summary>
    IEcallHandler Create(object implementation);
}
