using SecGear.Abi;

namespace SecGear.Tests.TestEnclave.Switchless;

/// <summary>Generated shape: creates the ECALL handler around the implementation.</summary>
public sealed class SwitchlessEcallFactory : IEcallFactory
{
    public ContractDescriptor Contract => SwitchlessContract.Descriptor;

    public Type EcallInterface => typeof(ISwitchlessEcalls);

    public IEcallHandler Create(object implementation) => new SwitchlessEcallHandler((ISwitchlessEcalls)implementation);
}
