using System.Security.Cryptography;

namespace SecGear.Attestation.Tests.Simulation;

/// <summary>One simulated machine and one piece of its evidence (binding SHA-256("verifier nonce")), shared by a test class.</summary>
public sealed class SimulatedMachineFixture : IDisposable
{
    public SimulatedMachineFixture()
    {
        Evidence = Machine.NewPlatform().GetEvidence(SHA256.HashData("verifier nonce"u8));
    }

    public SimulatedMachine Machine { get; } = new();

    public byte[] Evidence { get; }

    public void Dispose() => Machine.Dispose();
}
