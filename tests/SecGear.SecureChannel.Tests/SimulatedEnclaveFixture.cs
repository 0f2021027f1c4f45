using SecGear.Attestation;
using SecGear.Identity;

namespace SecGear.SecureChannel.Tests;

/// <summary>One simulated machine shared by a test class, with the channel test enclave's identity and the policy that accepts it.</summary>
public sealed class SimulatedEnclaveFixture : IDisposable
{
    /// <summary>The identity of the channel test enclave.</summary>
    public static readonly EnclaveIdentity Identity = SimulatedMachine.CreateIdentity("channel");

    /// <summary>Accepts simulation evidence with the test enclave's measurement (the signer is left open on purpose).</summary>
    public static AttestationPolicy Policy => new() { AllowSimulation = true, AllowedUniqueIds = [Identity.Measurement] };

    public SimulatedMachine Enclave { get; } = new(Identity);

    public void Dispose() => Enclave.Dispose();
}
