namespace SecGear.SecureChannel.Tests;

/// <summary>One simulated enclave shared by a test class.</summary>
public sealed class SimulatedEnclaveFixture : IDisposable
{
    public SimulatedEnclave Enclave { get; } = new();

    public void Dispose() => Enclave.Dispose();
}
