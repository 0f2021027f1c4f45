using System.Security.Cryptography;
using SecGear.Attestation.Simulation;
using SecGear.Simulation;

namespace SecGear.Attestation.Tests.Simulation;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SimulationEvidenceVerifierTests : IClassFixture<SimulatedMachineFixture>
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Nonce = SHA256.HashData("verifier nonce"u8);
    private readonly SimulatedMachine _machine;
    private readonly byte[] _evidence;

    public SimulationEvidenceVerifierTests(SimulatedMachineFixture fixture)
    {
        _machine = fixture.Machine;
        _evidence = fixture.Evidence;
    }

    private AttestationVerifier Verifier()
    {
        var verifier = AttestationVerifier.CreateDefault();
        verifier.Register(new SimulationEvidenceVerifier(_machine.Anchors));
        return verifier;
    }

    private static AttestationVerifier VerifierTrusting(byte[] caCertificate)
    {
        var verifier = new AttestationVerifier();
        verifier.Register(new SimulationEvidenceVerifier(TrustAnchors.FromFingerprints([]).Add(caCertificate)));
        return verifier;
    }

    [Fact]
    public void Evidence_from_the_simulated_platform_verifies_with_its_CA_pinned_and_the_claims_say_simulated()
    {
        var result = Verifier().Verify(Evidence.Detect(_evidence), null, Now);

        Assert.True(result.Succeeded, result.Failure?.ToString());
        var claims = result.Claims!;
        Assert.Equal(EvidenceFormats.SecGearSimulation, claims.Format);
        Assert.Equal(TeeKind.Simulation, claims.Tee);
        Assert.True(claims.Simulated);
        Assert.Equal(SimulatedMachine.DefaultIdentity.Measurement, claims.UniqueId.ToArray());
        Assert.Equal(SimulatedMachine.DefaultIdentity.Signer, claims.SignerId.ToArray());
        Assert.Equal(12, claims.ProductId);
        Assert.Equal(3, claims.SecurityVersion);
        Assert.False(claims.Debug);
        Assert.Equal(Nonce, claims.ReportData[..32].ToArray());
        Assert.Equal(Convert.ToHexStringLower(Trusted.Platform.SimulatedPlatform.EnsureSecret(_machine.Options)), claims.Fields["platform_id"]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(_machine.CaCertificate)), claims.Fields["simulated_ca_sha256"]);
    }

    [Fact]
    public void Detect_recognises_simulation_evidence()
    {
        Assert.Equal(EvidenceFormats.SecGearSimulation, Evidence.Detect(_evidence).Format);
    }

    [Fact]
    public void The_default_verifier_does_not_accept_simulation_evidence()
    {
        var result = AttestationVerifier.CreateDefault().Verify(Evidence.Detect(_evidence), null, Now);

        Assert.Equal(AttestationFailureCode.UnsupportedEvidenceFormat, result.Failure?.Code);
    }

    [Fact]
    public void Evidence_from_another_machine_fails_RootNotTrusted()
    {
        using var other = new SimulatedMachine();
        var foreign = other.Platform.GetEvidence(Nonce);

        var result = Verifier().Verify(Evidence.Detect(foreign), null, Now);

        Assert.Equal(AttestationFailureCode.RootNotTrusted, result.Failure?.Code);
        Assert.Contains("secgear platform init", result.Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_policy_that_does_not_allow_simulation_rejects_it_after_verification()
    {
        var policy = new AttestationPolicy { AllowSimulation = false };

        var result = Verifier().Verify(Evidence.Detect(_evidence), null, Now, policy);

        Assert.Equal(AttestationFailureCode.PolicySimulationNotAllowed, result.Failure?.Code);
        Assert.NotNull(result.Claims);
    }

    [Fact]
    public void A_policy_binds_the_nonce_and_the_measurement()
    {
        var good = new AttestationPolicy
        {
            AllowSimulation = true,
            ExpectedReportData = Nonce,
            AllowedUniqueIds = [SimulatedMachine.DefaultIdentity.Measurement],
        };
        var wrongNonce = new AttestationPolicy { AllowSimulation = true, ExpectedReportData = SHA256.HashData("other"u8) };

        Assert.True(Verifier().Verify(Evidence.Detect(_evidence), null, Now, good).Succeeded);
        Assert.Equal(AttestationFailureCode.PolicyReportDataMismatch, Verifier().Verify(Evidence.Detect(_evidence), null, Now, wrongNonce).Failure?.Code);
    }

    [Fact]
    public void Flipping_any_bit_in_the_signed_body_or_signature_fails_verification()
    {
        var verifier = Verifier();
        for (int i = 0; i < SimulationEvidence.SignedLength + SimulationEvidence.SignatureLength; i++)
        {
            var tampered = (byte[])_evidence.Clone();
            tampered[i] ^= (byte)(1 << (i % 8));

            var result = verifier.Verify(new Evidence(EvidenceFormats.SecGearSimulation, tampered), null, Now);

            Assert.False(result.Succeeded, $"byte {i} flipped still verified");
        }
    }

    [Fact]
    public void Flipping_a_bit_in_either_certificate_fails_verification()
    {
        var verifier = Verifier();
        for (int i = SimulationEvidence.SignedLength + SimulationEvidence.SignatureLength; i < _evidence.Length; i++)
        {
            var tampered = (byte[])_evidence.Clone();
            tampered[i] ^= 0x01;

            Assert.False(verifier.Verify(new Evidence(EvidenceFormats.SecGearSimulation, tampered), null, Now).Succeeded, $"byte {i} flipped still verified");
        }
    }

    [Fact]
    public void Truncated_evidence_fails_EvidenceMalformed_at_every_length()
    {
        var verifier = Verifier();
        for (int length = 1; length < _evidence.Length; length++)
        {
            var result = verifier.Verify(new Evidence(EvidenceFormats.SecGearSimulation, _evidence.AsSpan(0, length)), null, Now);

            Assert.Equal(AttestationFailureCode.EvidenceMalformed, result.Failure?.Code);
        }
    }

    [Fact]
    public void Trailing_bytes_zero_length_and_oversized_evidence_give_typed_failures()
    {
        var verifier = Verifier();

        Assert.Equal(AttestationFailureCode.EvidenceMalformed, verifier.Verify(new Evidence(EvidenceFormats.SecGearSimulation, [.. _evidence, 0]), null, Now).Failure?.Code);
        Assert.Equal(AttestationFailureCode.EvidenceEmpty, verifier.Verify(new Evidence(EvidenceFormats.SecGearSimulation, []), null, Now).Failure?.Code);
        Assert.Equal(AttestationFailureCode.EvidenceTooLarge, verifier.Verify(new Evidence(EvidenceFormats.SecGearSimulation, new byte[SimulationEvidence.MaxLength + 1]), null, Now).Failure?.Code);
    }

    [Fact]
    public void Random_input_with_a_valid_header_gives_typed_failures()
    {
        var random = new Random(20261127);
        var verifier = Verifier();
        for (int i = 0; i < 500; i++)
        {
            var bytes = new byte[random.Next(1, 1200)];
            random.NextBytes(bytes);
            if (i % 2 == 0 && bytes.Length >= 8)
            {
                "SGSE\u0001\u0000\u0000\u0000"u8.CopyTo(bytes);
            }

            var result = verifier.Verify(new Evidence(EvidenceFormats.SecGearSimulation, bytes), null, Now);

            Assert.False(result.Succeeded);
        }
    }

    [Fact]
    public void Verification_before_the_simulated_CA_is_valid_fails_RootCertificateExpired()
    {
        var result = Verifier().Verify(Evidence.Detect(_evidence), null, new DateTimeOffset(2019, 12, 31, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(AttestationFailureCode.RootCertificateExpired, result.Failure?.Code);
    }

    [Fact]
    public void A_warm_verifier_still_checks_the_time_and_the_evidence_signature()
    {
        var verifier = Verifier();
        Assert.True(verifier.Verify(Evidence.Detect(_evidence), null, Now).Succeeded);
        var tampered = (byte[])_evidence.Clone();
        tampered[150] ^= 0x01;

        Assert.Equal(AttestationFailureCode.RootCertificateExpired, verifier.Verify(Evidence.Detect(_evidence), null, new DateTimeOffset(2121, 1, 1, 0, 0, 0, TimeSpan.Zero)).Failure?.Code);
        Assert.Equal(AttestationFailureCode.EvidenceSignatureInvalid, verifier.Verify(Evidence.Detect(tampered), null, Now).Failure?.Code);
        Assert.True(verifier.Verify(Evidence.Detect(_evidence), null, Now).Succeeded);
    }

    [Fact]
    public void Evidence_made_concurrently_by_one_platform_all_verifies_with_its_own_nonce()
    {
        var platform = _machine.NewPlatform();
        var nonces = Enumerable.Range(0, 16).Select(i => SHA256.HashData([(byte)i])).ToArray();
        var made = new byte[nonces.Length][];
        Parallel.For(0, nonces.Length, i => made[i] = platform.GetEvidence(nonces[i]));

        var verifier = Verifier();
        for (int i = 0; i < made.Length; i++)
        {
            var policy = new AttestationPolicy { AllowSimulation = true, ExpectedReportData = nonces[i] };
            Assert.True(verifier.Verify(Evidence.Detect(made[i]), null, Now, policy).Succeeded);
        }
    }

    [Fact]
    public void Concurrent_verifications_on_one_verifier_all_succeed()
    {
        var verifier = Verifier();
        var results = new bool[64];
        Parallel.For(0, results.Length, i => results[i] = verifier.Verify(Evidence.Detect(_evidence), null, Now).Succeeded);

        Assert.All(results, Assert.True);
    }

    [Fact]
    public void Each_certificate_check_fails_for_its_own_reason()
    {
        using var issuerMismatch = new ForgedEvidence { IssuerName = "CN=Somebody Else" };
        using var otherSigner = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var wrongSigner = new ForgedEvidence { KeySigner = otherSigner };
        using var expiredKey = new ForgedEvidence { KeyNotAfter = ForgedEvidence.Inside.AddDays(-1) };
        using var notCa = new ForgedEvidence { CaIsAuthority = false };
        using var p384Key = new ForgedEvidence { AttestationKey = ECDsa.Create(ECCurve.NamedCurves.nistP384) };
        using var badSignature = new ForgedEvidence();
        using var good = new ForgedEvidence();

        AttestationFailureCode? Check(ForgedEvidence forged, bool corrupt = false) =>
            VerifierTrusting(forged.CaCertificate()).Verify(new Evidence(EvidenceFormats.SecGearSimulation, forged.Build(corrupt)), null, ForgedEvidence.Inside).Failure?.Code;

        Assert.Null(Check(good));
        Assert.Equal(AttestationFailureCode.AttestationKeyCertificateIssuerMismatch, Check(issuerMismatch));
        Assert.Equal(AttestationFailureCode.AttestationKeyCertificateSignatureInvalid, Check(wrongSigner));
        Assert.Equal(AttestationFailureCode.AttestationKeyCertificateExpired, Check(expiredKey));
        Assert.Equal(AttestationFailureCode.IssuerNotCertificateAuthority, Check(notCa));
        Assert.Equal(AttestationFailureCode.AttestationKeyInvalid, Check(p384Key));
        Assert.Equal(AttestationFailureCode.EvidenceSignatureInvalid, Check(badSignature, corrupt: true));
    }

    [Fact]
    public void Garbage_in_a_certificate_field_fails_SimulationCertificateMalformed()
    {
        Assert.True(SimulationEvidence.TryParse(_evidence, out var parsed, out _));
        var garbage = (parsed with { AttestationKeyCertificate = new byte[] { 0x30, 0x03, 0x02, 0x01, 0x00 } }).Encode();

        var result = Verifier().Verify(new Evidence(EvidenceFormats.SecGearSimulation, garbage), null, Now);

        Assert.Equal(AttestationFailureCode.SimulationCertificateMalformed, result.Failure?.Code);
    }
}
