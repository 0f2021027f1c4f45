using System.Security.Cryptography;
using SecGear.Attestation.Simulation;
using SecGear.Identity;
using SecGear.Trusted.Attestation;

namespace SecGear.Attestation.Tests.Simulation;

/// <summary>The enclave-side IAttester adapter over the simulated attesting platform, checked by the verifier.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PlatformAttesterTests : IClassFixture<SimulatedMachineFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private readonly SimulatedMachine _machine;

    public PlatformAttesterTests(SimulatedMachineFixture fixture) => _machine = fixture.Machine;

    private AttestationResult Verify(Evidence evidence, AttestationPolicy? policy = null)
    {
        var verifier = new AttestationVerifier();
        verifier.Register(new SimulationEvidenceVerifier(_machine.Anchors));
        return verifier.Verify(evidence, null, Now, policy ?? new AttestationPolicy { AllowSimulation = true });
    }

    [Fact]
    public void Attest_gives_evidence_of_the_platform_format_that_verifies_with_the_enclave_identity_and_report_data()
    {
        var attester = new PlatformAttester(_machine.NewPlatform());
        var nonce = RandomNumberGenerator.GetBytes(64);

        var evidence = new Evidence(attester.Format, attester.Attest(nonce));
        var result = Verify(evidence, new AttestationPolicy { AllowSimulation = true, ExpectedReportData = nonce });

        Assert.Equal(EvidenceFormats.SecGearSimulation, attester.Format);
        Assert.Equal(EvidenceFormats.SecGearSimulation, evidence.Format);
        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.Equal(SimulatedMachine.DefaultIdentity.Measurement, result.Claims!.UniqueId.ToArray());
        Assert.Equal(nonce, result.Claims.ReportData.ToArray());
    }

    [Fact]
    public void Evidence_bound_to_one_report_data_fails_a_policy_expecting_another()
    {
        var attester = new PlatformAttester(_machine.NewPlatform());
        var evidence = new Evidence(attester.Format, attester.Attest("one"u8));

        var result = Verify(evidence, new AttestationPolicy { AllowSimulation = true, ExpectedReportData = "two"u8.ToArray() });

        Assert.False(result.Succeeded);
        Assert.Equal(AttestationFailureCode.PolicyReportDataMismatch, result.Failure!.Code);
    }

    [Fact]
    public void Attest_refuses_report_data_over_64_bytes()
    {
        var attester = new PlatformAttester(_machine.NewPlatform());

        var ex = Assert.Throws<ArgumentException>(() => attester.Attest(new byte[65]));

        Assert.Equal("reportData", ex.ParamName);
    }

    [Fact]
    public void An_attester_needs_a_platform()
    {
        Assert.Throws<ArgumentNullException>(() => new PlatformAttester(null!));
        Assert.Throws<ArgumentNullException>(() => PlatformAttester.FromContext(null!));
    }
}
