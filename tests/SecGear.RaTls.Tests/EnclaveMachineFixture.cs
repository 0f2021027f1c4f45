using SecGear.Identity;

namespace SecGear.RaTls.Tests;

/// <summary>One simulated machine shared by a test class (creating its CA takes a few milliseconds and a temporary directory).</summary>
public sealed class EnclaveMachineFixture : IDisposable
{
    /// <summary>The identity of the RA-TLS test enclave.</summary>
    public static readonly EnclaveIdentity Identity = SimulatedMachine.CreateIdentity("ra-tls");

    public SimulatedMachine Machine { get; } = new(Identity);

    public void Dispose() => Machine.Dispose();
}
