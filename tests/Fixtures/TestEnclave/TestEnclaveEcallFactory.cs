using SecGear.Abi;

namespace SecGear.Tests.TestEnclave;

/// <summary>Generated shape: creates the ECALL handler around the implementation.</summary>
public sealed class TestEnclaveEcallFactory : IEcallFactory
{
    public ContractDescriptor Contract => TestContract.Descriptor;

    public Type EcallInterface => typeof(ITestEnclaveEcalls);

    public IEcallHandler Create(object implementation) => new TestEnclaveEcallHandler((ITestEnclaveEcalls)implementation);
}
