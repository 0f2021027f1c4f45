using Microsoft.Extensions.DependencyInjection;
using SecGear.Attestation;
using SecGear.Attestation.Simulation;
using SecGear.CryptoModule.Client;
using SecGear.CryptoModule.Keys;
using SecGear.Simulation;
using SecGear.Trusted.Attestation;

namespace SecGear.CryptoModule.Tests;

/// <summary>A client checks the module's enclave before sending it anything.</summary>
public sealed class AttestationTests(ModuleFixture fixture) : IClassFixture<ModuleFixture>
{
    [Fact]
    public async Task Client_accepts_the_module_enclave_pinned_by_measurement_and_signer()
    {
        var identity = fixture.Module.Services.GetRequiredService<ModuleEnclave>().Identity;
        var claims = await fixture.Tenant.VerifyEnclaveAsync(Verifier(), new AttestationPolicy
        {
            AllowSimulation = true,
            AllowedUniqueIds = [identity.Measurement],
            AllowedSignerIds = [identity.Signer],
        });
        Assert.Equal(identity.Measurement, claims.UniqueId.ToArray());
    }

    [Fact]
    public async Task Client_refuses_a_module_whose_measurement_is_not_the_pinned_one()
    {
        var error = await Assert.ThrowsAsync<CryptoModuleException>(() => fixture.Tenant.VerifyEnclaveAsync(Verifier(), new AttestationPolicy
        {
            AllowSimulation = true,
            AllowedUniqueIds = [new byte[32]],
        }));
        Assert.Equal(CryptoModuleClient.EnclaveNotTrusted, error.Code);
        Assert.Contains("PolicyUniqueId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_refuses_simulation_evidence_when_its_policy_does_not_allow_simulation()
    {
        var error = await Assert.ThrowsAsync<CryptoModuleException>(() => fixture.Tenant.VerifyEnclaveAsync(Verifier(), new AttestationPolicy()));
        Assert.Equal(CryptoModuleClient.EnclaveNotTrusted, error.Code);
    }

    private static AttestationVerifier Verifier()
    {
        var verifier = AttestationVerifier.CreateDefault();
        verifier.Register(new SimulationEvidenceVerifier(TrustAnchors.FromFingerprints([]).Add(SimulatedAttestationAuthority.EnsureCaCertificate())));
        return verifier;
    }
}
