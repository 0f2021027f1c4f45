using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.Attestation;

namespace SecGear.RaTls.Tests;

public sealed class RaTlsHandshakeTests(EnclaveMachineFixture fixture) : IClassFixture<EnclaveMachineFixture>
{
    private SimulatedMachine Machine => fixture.Machine;

    [Fact]
    public async Task Tls13_handshake_succeeds_and_the_client_sees_the_enclave_claims()
    {
        using var certificate = RaTlsCertificate.Create(Machine.Evidence);
        var validator = new RaTlsValidator(Machine.Verifier, Machine.Policy);

        var outcome = await Handshake.RunAsync(certificate, validator, "secret for the enclave"u8.ToArray());

        Assert.True(outcome.Succeeded, outcome.Validation?.Failure?.ToString());
        Assert.Equal(SslProtocols.Tls13, outcome.Protocol);
        Assert.Equal("secret for the enclave"u8.ToArray(), outcome.Echo);
        var claims = outcome.Validation!.Claims!;
        Assert.True(claims.Simulated);
        Assert.Equal(Machine.Identity.Measurement, claims.UniqueId.ToArray());
        Assert.Equal(Machine.Identity.Signer, claims.SignerId.ToArray());
        Assert.Equal(7, claims.ProductId);
    }

    [Fact]
    public async Task Tls13_handshake_with_a_P384_certificate_succeeds()
    {
        using var certificate = RaTlsCertificate.Create(Machine.Evidence, new RaTlsCertificateOptions { Curve = ECCurve.NamedCurves.nistP384 });
        var validator = new RaTlsValidator(Machine.Verifier, Machine.Policy);

        var outcome = await Handshake.RunAsync(certificate, validator);

        Assert.True(outcome.Succeeded, outcome.Validation?.Failure?.ToString());
        using var key = certificate.GetECDsaPublicKey()!;
        Assert.Equal(384, key.KeySize);
    }

    [Fact]
    public async Task Handshake_fails_when_the_policy_forbids_simulation()
    {
        using var certificate = RaTlsCertificate.Create(Machine.Evidence);
        var validator = new RaTlsValidator(Machine.Verifier, new AttestationPolicy { AllowedUniqueIds = [Machine.Identity.Measurement] });

        var outcome = await Handshake.RunAsync(certificate, validator);

        Assert.False(outcome.Succeeded);
        Assert.Equal(RaTlsFailureCode.PolicyRejected, outcome.Validation!.Failure!.Code);
        Assert.Equal(AttestationFailureCode.PolicySimulationNotAllowed, outcome.Validation.Failure.Attestation!.Code);
    }

    [Fact]
    public async Task Handshake_fails_when_the_measurement_is_not_the_expected_one()
    {
        using var certificate = RaTlsCertificate.Create(Machine.Evidence);
        var policy = new AttestationPolicy { AllowSimulation = true, AllowedUniqueIds = [SHA256.HashData("another enclave"u8)] };
        var validator = new RaTlsValidator(Machine.Verifier, policy);

        var outcome = await Handshake.RunAsync(certificate, validator);

        Assert.False(outcome.Succeeded);
        Assert.Equal(RaTlsFailureCode.PolicyRejected, outcome.Validation!.Failure!.Code);
        Assert.Equal(AttestationFailureCode.PolicyUniqueIdNotAllowed, outcome.Validation.Failure.Attestation!.Code);
    }

    [Fact]
    public async Task Handshake_fails_when_the_evidence_is_bound_to_another_key()
    {
        using var original = RaTlsCertificate.Create(Machine.Evidence);
        var stolenEvidence = Certificates.EvidenceOf(original);
        using var swapped = RaTlsCertificate.Create(_ => stolenEvidence);
        var validator = new RaTlsValidator(Machine.Verifier, Machine.Policy);

        var outcome = await Handshake.RunAsync(swapped, validator);

        Assert.False(outcome.Succeeded);
        Assert.Equal(RaTlsFailureCode.KeyBindingMismatch, outcome.Validation!.Failure!.Code);
    }

    [Fact]
    public async Task Handshake_fails_when_the_evidence_extension_is_missing()
    {
        using var plain = Certificates.SelfSignedWithoutEvidence();
        var validator = new RaTlsValidator(Machine.Verifier, Machine.Policy);

        var outcome = await Handshake.RunAsync(plain, validator);

        Assert.False(outcome.Succeeded);
        Assert.Equal(RaTlsFailureCode.ExtensionMissing, outcome.Validation!.Failure!.Code);
    }

    [Fact]
    public async Task Handshake_fails_when_one_evidence_bit_flips()
    {
        using var certificate = RaTlsCertificate.Create(reportData =>
        {
            var evidence = Machine.Evidence(reportData);
            evidence[8] ^= 0x01; // first byte of the measurement, covered by the platform signature
            return evidence;
        });
        var validator = new RaTlsValidator(Machine.Verifier, Machine.Policy);

        var outcome = await Handshake.RunAsync(certificate, validator);

        Assert.False(outcome.Succeeded);
        Assert.Equal(RaTlsFailureCode.EvidenceRejected, outcome.Validation!.Failure!.Code);
        Assert.NotNull(outcome.Validation.Failure.Attestation);
    }

    [Fact]
    public async Task Handshake_fails_when_the_host_name_does_not_match_and_succeeds_when_names_are_not_checked()
    {
        using var certificate = RaTlsCertificate.Create(Machine.Evidence);
        var strict = new RaTlsValidator(Machine.Verifier, Machine.Policy);
        var byMeasurementOnly = new RaTlsValidator(Machine.Verifier, Machine.Policy) { CheckHostName = false };

        var refused = await Handshake.RunAsync(certificate, strict, targetHost: "enclave.example");
        var accepted = await Handshake.RunAsync(certificate, byMeasurementOnly, targetHost: "enclave.example");

        Assert.False(refused.Succeeded);
        Assert.Equal(RaTlsFailureCode.NameMismatch, refused.Validation!.Failure!.Code);
        Assert.True(accepted.Succeeded, accepted.Validation?.Failure?.ToString());
    }

    [Fact]
    public async Task Handshake_through_a_host_relay_succeeds_and_the_relay_never_sees_the_secret()
    {
        using var certificate = RaTlsCertificate.Create(Machine.Evidence);
        var validator = new RaTlsValidator(Machine.Verifier, Machine.Policy);
        var secret = "the key to the database: 7f3a9c"u8.ToArray();
        using var timeout = new CancellationTokenSource(Handshake.Timeout);
        var (client, relayFront) = await Loopback.ConnectAsync(timeout.Token);
        var (relayBack, enclave) = await Loopback.ConnectAsync(timeout.Token);
        using var seen = new MemoryStream();
        var toEnclave = Loopback.PumpAsync(relayFront, relayBack, seen, timeout.Token);
        var toClient = Loopback.PumpAsync(relayBack, relayFront, seen, timeout.Token);

        var outcome = await Handshake.RunAsync(client, enclave, certificate, validator, secret, "localhost", timeout.Token);
        await Task.WhenAll(toEnclave, toClient);

        Assert.True(outcome.Succeeded, outcome.Validation?.Failure?.ToString());
        Assert.Equal(secret, outcome.Echo);
        Assert.True(seen.Length > secret.Length);
        Assert.Equal(-1, seen.ToArray().AsSpan().IndexOf(secret));
    }
}
