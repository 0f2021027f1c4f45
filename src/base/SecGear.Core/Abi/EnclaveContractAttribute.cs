namespace SecGear.Abi;

/// <summary>
/// Emitted by the source generator into an enclave assembly, once per contract: names the generated
/// <see cref="IEcallFactory"/> type (it has a public parameterless constructor).
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class EnclaveContractAttribute(Type factoryType) : Attribute
{
    /// <summary>The generated factory type.</summary>
    public Type FactoryType { get; } = factoryType;
}
