using System.Security.Cryptography;
using SecGear.Simulation;
using SecGear.Trusted.Platform;

namespace SecGear.Attestation.Tests.Simulation;

/// <summary>Evidence of an enclave that ran in its host's process says so, and policies refuse it unless allowed.</summary>
public sealed class InProcessEvidenceTests
{
    [Theory]
    [InlineData(true, "process")]
    [InlineData(false, AttestationPolicy.NoIsolation)]
    public void Claims_name_the_isolation_and_the_default_policy_refuses_in_process_evidence(bool isolated, string isolation)
    {
        using var machine = new SimulatedMachine();
        using var platform = new SimulatedPlatform(machine.Identity, new SimulatedPlatformOptions { SecretPath = machine.Options.SecretPath, Isolated = isolated });
        var evidence = new Evidence(EvidenceFormats.SecGearSimulation, platform.GetEvidence(SHA256.HashData("nonce"u8)));

        var plain = machine.Verifier.Verify(evidence, null, DateTimeOffset.UtcNow);
        var simulationAllowed = machine.Verifier.Verify(evidence, null, DateTimeOffset.UtcNow, new AttestationPolicy { AllowSimulation = true });
        var inProcessAllowed = machine.Verifier.Verify(evidence, null, DateTimeOffset.UtcNow, AttestationPolicy.FromJson("{\"allowSimulation\": true, \"allowInProcess\": true}"));

        Assert.Equal(isolation, plain.ThrowIfFailed().Fields[AttestationPolicy.IsolationField]);
        Assert.Equal(isolated ? null : AttestationFailureCode.PolicyInProcessNotAllowed, simulationAllowed.Failure?.Code);
        Assert.True(inProcessAllowed.Succeeded);
    }
}
