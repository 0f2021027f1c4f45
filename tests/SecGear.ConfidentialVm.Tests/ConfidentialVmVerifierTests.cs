using System.Security.Cryptography;
using SecGear.Attestation;
using SecGear.Attestation.ArmCca;
using SecGear.Attestation.ConfidentialVm;
using SecGear.ConfidentialVm.Emulation;
using SecGear.ConfidentialVm.Tsm;
using SecGear.Identity;

namespace SecGear.ConfidentialVm.Tests;

/// <summary>
/// The verifier side: the hardware evidence is checked by the TEE's own verifier, then the binding of the enclave. With
/// recorded evidence the hardware checks pass and the binding cannot match (the recording's report data is not ours);
/// with the inblob patched in, the binding matches and the hardware signature fails. Both paths are typed failures.
/// </summary>
public sealed class ConfidentialVmVerifierTests
{
    private static readonly EnclaveIdentity Enclave = new(RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32), 7, 3, false);

    private static byte[] EvidenceFrom(EmulatedTsmReport report, byte[]? nonce = null)
    {
        var tree = new EmulatedConfigFsTsm(ConfidentialVmDetection.EmulatedReportRoot, report);
        var tsm = new ConfigFsTsm(new ConfigFsTsmOptions { ReportRoot = ConfidentialVmDetection.EmulatedReportRoot }, tree);
        return new ConfidentialVmPlatform(Enclave, new ConfigFsTsmEvidenceSource(tsm)).GetEvidence(nonce ?? RandomNumberGenerator.GetBytes(64));
    }

    [TestVectorFact]
    public void Recorded_snp_report_verifies_with_the_vcek_from_its_certificate_table_and_then_fails_the_binding()
    {
        var evidence = Evidence.Detect(EvidenceFrom(Recordings.Snp()));
        Assert.Equal(EvidenceFormats.ConfidentialVm, evidence.Format);

        AttestationResult result = AttestationVerifier.CreateDefault().Verify(evidence, null, Recordings.SnpTime);

        Assert.Equal(AttestationFailureCode.EnclaveBindingMismatch, result.Failure?.Code);
        Assert.NotNull(result.Claims);
        Assert.Equal(Enclave.Measurement, result.Claims.UniqueId.ToArray());
        Assert.Equal(Recordings.SnpMeasurement, result.Claims.Fields[AttestationPolicy.VmMeasurementField]);
        Assert.Equal("0102030405" + new string('0', 118), result.Claims.Fields["vm_report_data"]);
        Assert.True(result.Claims.Debug, "SNP-1's guest policy has DEBUG set, so the enclave is reported as debug");
    }

    [TestVectorFact]
    public void Snp_report_with_the_binding_patched_in_fails_the_hardware_signature()
    {
        AttestationResult result = AttestationVerifier.CreateDefault().Verify(Evidence.Detect(EvidenceFrom(Recordings.Snp(patch: true))), null, Recordings.SnpTime);

        Assert.Equal(AttestationFailureCode.EvidenceSignatureInvalid, result.Failure?.Code);
        Assert.Contains("hardware evidence (SevSnp, provider sev_guest)", result.Failure!.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void Recorded_tdx_quote_verifies_with_intel_collateral_and_then_fails_the_binding()
    {
        var evidence = Evidence.Detect(EvidenceFrom(Recordings.Tdx()));
        Assert.True(CollateralLoader.TryLoad(evidence, [TestVectors.Read(Recordings.TdxCollateral)], out var collateral, out var failure), failure?.Message);

        AttestationResult result = AttestationVerifier.CreateDefault().Verify(evidence, collateral, Recordings.TdxTime);

        Assert.Equal(AttestationFailureCode.EnclaveBindingMismatch, result.Failure?.Code);
        Assert.Equal(Recordings.TdxMrtd, result.Claims!.Fields[AttestationPolicy.VmMeasurementField]);
        Assert.Equal(TcbStatus.UpToDate, result.Claims.TcbStatus);
        Assert.True(result.Claims.Fields.ContainsKey("vm_rtmr0"));
    }

    [TestVectorFact]
    public void Tdx_quote_with_the_binding_patched_in_fails_the_quote_signature()
    {
        var evidence = Evidence.Detect(EvidenceFrom(Recordings.Tdx(patch: true)));
        Assert.True(CollateralLoader.TryLoad(evidence, [TestVectors.Read(Recordings.TdxCollateral)], out var collateral, out _));

        AttestationResult result = AttestationVerifier.CreateDefault().Verify(evidence, collateral, Recordings.TdxTime);

        Assert.Equal(AttestationFailureCode.QuoteSignatureInvalid, result.Failure?.Code);
    }

    [TestVectorFact]
    public void Tdx_evidence_without_collateral_fails_as_collateral_missing()
    {
        AttestationResult result = AttestationVerifier.CreateDefault().Verify(Evidence.Detect(EvidenceFrom(Recordings.Tdx())), null, Recordings.TdxTime);

        Assert.Equal(AttestationFailureCode.CollateralMissing, result.Failure?.Code);
    }

    [TestVectorFact]
    public void Cca_token_needs_a_provisioned_platform_key_and_with_it_fails_only_the_binding()
    {
        var evidence = Evidence.Detect(EvidenceFrom(Recordings.Cca()));
        Assert.Equal(AttestationFailureCode.PlatformKeyNotTrusted, AttestationVerifier.CreateDefault().Verify(evidence, null, DateTimeOffset.UnixEpoch).Failure?.Code);

        var hardware = new AttestationVerifier();
        hardware.Register(new CcaVerifier(new CcaVerifierOptions { PlatformKeys = CcaPlatformKeyStore.FromJson(System.Text.Encoding.UTF8.GetString(TestVectors.Read(Recordings.CcaAnchors))) }));
        var verifier = new AttestationVerifier();
        verifier.Register(new ConfidentialVmVerifier(hardware));

        AttestationResult result = verifier.Verify(evidence, null, DateTimeOffset.UnixEpoch);

        Assert.Equal(AttestationFailureCode.EnclaveBindingMismatch, result.Failure?.Code);
        Assert.Equal(TeeKind.Cca, result.Claims!.Tee);
        Assert.Equal(new string('0', 64), result.Claims.Fields[AttestationPolicy.VmMeasurementField]);
    }

    [TestVectorFact]
    public void Cca_token_with_the_challenge_patched_fails_the_realm_signature()
    {
        var hardware = new AttestationVerifier();
        hardware.Register(new CcaVerifier(new CcaVerifierOptions { PlatformKeys = CcaPlatformKeyStore.FromJson(System.Text.Encoding.UTF8.GetString(TestVectors.Read(Recordings.CcaAnchors))) }));
        var verifier = new AttestationVerifier();
        verifier.Register(new ConfidentialVmVerifier(hardware));

        AttestationResult result = verifier.Verify(Evidence.Detect(EvidenceFrom(Recordings.Cca(patch: true))), null, DateTimeOffset.UnixEpoch);

        Assert.Equal(AttestationFailureCode.RealmSignatureInvalid, result.Failure?.Code);
    }

    /// <summary>
    /// No public hardware evidence carries our binding, so the success path is proven with a hardware verifier that
    /// accepts any SEV-SNP report and reports its REPORT_DATA (bytes 0x50..0x90) and MEASUREMENT (0x90..0xC0).
    /// </summary>
    [Fact]
    public void Bound_evidence_is_affirmed_with_enclave_and_vm_claims_and_the_policy_checks_both()
    {
        byte[] nonce = RandomNumberGenerator.GetBytes(32);
        byte[] vmMeasurement = RandomNumberGenerator.GetBytes(48);
        byte[] report = new byte[TsmProviders.SnpReportLength];
        vmMeasurement.CopyTo(report, 0x90);
        byte[] bytes = EvidenceFrom(new EmulatedTsmReport { Provider = TsmProviders.SevSnp, Outblob = report, PatchReportData = true }, nonce);
        var verifier = new AttestationVerifier();
        verifier.Register(new ConfidentialVmVerifier(AcceptingSnp()));

        AttestationResult result = verifier.Verify(new Evidence(EvidenceFormats.ConfidentialVm, bytes), null, DateTimeOffset.UnixEpoch);

        Assert.True(result.Succeeded, result.Failure?.Message);
        var claims = result.Claims!;
        Assert.Equal(TeeKind.SevSnp, claims.Tee);
        Assert.Equal(Enclave.Measurement, claims.UniqueId.ToArray());
        Assert.Equal(Enclave.Signer, claims.SignerId.ToArray());
        Assert.Equal(7, claims.ProductId);
        Assert.Equal(3, claims.SecurityVersion);
        Assert.Equal("confidential-vm", claims.Fields["engine"]);
        Assert.Equal("SevSnp", claims.Fields["tee"]);
        Assert.Equal(Convert.ToHexStringLower(vmMeasurement), claims.Fields[AttestationPolicy.VmMeasurementField]);

        var good = new AttestationPolicy { AllowedUniqueIds = [Enclave.Measurement], AllowedVmMeasurements = [vmMeasurement], ExpectedReportData = nonce };
        Assert.True(verifier.Verify(new Evidence(EvidenceFormats.ConfidentialVm, bytes), null, DateTimeOffset.UnixEpoch, good).Succeeded);
        Assert.Equal(
            AttestationFailureCode.PolicyVmMeasurementNotAllowed,
            verifier.Verify(new Evidence(EvidenceFormats.ConfidentialVm, bytes), null, DateTimeOffset.UnixEpoch, new AttestationPolicy { AllowedVmMeasurements = [new byte[48]] }).Failure?.Code);
        Assert.Equal(
            AttestationFailureCode.PolicyUniqueIdNotAllowed,
            verifier.Verify(new Evidence(EvidenceFormats.ConfidentialVm, bytes), null, DateTimeOffset.UnixEpoch, new AttestationPolicy { AllowedUniqueIds = [new byte[32]] }).Failure?.Code);
        var fieldPolicy = AttestationPolicy.FromJson("""{"fields": {"tee": ["SevSnp"], "provider": ["tdx_guest"]}}""");
        Assert.Equal(AttestationFailureCode.PolicyFieldNotAllowed, verifier.Verify(new Evidence(EvidenceFormats.ConfidentialVm, bytes), null, DateTimeOffset.UnixEpoch, fieldPolicy).Failure?.Code);
    }

    [Fact]
    public void Changing_the_enclave_named_in_the_envelope_fails_the_binding()
    {
        byte[] bytes = EvidenceFrom(new EmulatedTsmReport { Provider = TsmProviders.SevSnp, Outblob = new byte[TsmProviders.SnpReportLength], PatchReportData = true });
        bytes[8] ^= 1;
        var verifier = new AttestationVerifier();
        verifier.Register(new ConfidentialVmVerifier(AcceptingSnp()));

        Assert.Equal(AttestationFailureCode.EnclaveBindingMismatch, verifier.Verify(new Evidence(EvidenceFormats.ConfidentialVm, bytes), null, DateTimeOffset.UnixEpoch).Failure?.Code);
    }

    [Fact]
    public void Every_truncation_and_bit_flip_of_the_envelope_fails_typed_and_never_throws()
    {
        byte[] bytes = EvidenceFrom(new EmulatedTsmReport { Provider = TsmProviders.SevSnp, Outblob = new byte[TsmProviders.SnpReportLength], PatchReportData = true });
        var verifier = new AttestationVerifier();
        verifier.Register(new ConfidentialVmVerifier(AcceptingSnp()));
        for (int length = 0; length < bytes.Length; length += 7)
        {
            Assert.False(verifier.Verify(new Evidence(EvidenceFormats.ConfidentialVm, bytes.AsSpan(0, length)), null, DateTimeOffset.UnixEpoch).Succeeded);
        }

        // The envelope's own fields (header, identity, report data, provider, lengths); flips in the hardware report
        // are the hardware verifier's to catch.
        for (int bit = 0; bit < (76 + 64 + 1 + 9 + 4) * 8; bit++)
        {
            byte[] flipped = [.. bytes];
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            var result = verifier.Verify(new Evidence(EvidenceFormats.ConfidentialVm, flipped), null, DateTimeOffset.UnixEpoch);
            Assert.False(result.Succeeded, $"bit {bit} flipped was accepted");
            Assert.DoesNotContain("verifier fault", result.Failure!.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>A hardware verifier that accepts any SEV-SNP-sized report and reports its REPORT_DATA and MEASUREMENT.</summary>
    private static AttestationVerifier AcceptingSnp()
    {
        var hardware = new AttestationVerifier();
        hardware.Register(new AcceptingSnpVerifier());
        return hardware;
    }

    private sealed class AcceptingSnpVerifier : IEvidenceVerifier
    {
        public string Format => EvidenceFormats.AmdSevSnpReport;

        public AttestationResult Verify(ReadOnlyMemory<byte> evidence, Collateral? collateral, DateTimeOffset verificationTime) =>
            evidence.Length != TsmProviders.SnpReportLength
                ? AttestationResult.Fail(AttestationFailureCode.EvidenceMalformed, "not a report")
                : AttestationResult.Success(new AttestationClaims
                {
                    Format = Format,
                    Tee = TeeKind.SevSnp,
                    UniqueId = evidence.Slice(0x90, 48).ToArray(),
                    SignerId = ReadOnlyMemory<byte>.Empty,
                    Debug = false,
                    ReportData = evidence.Slice(0x50, 64).ToArray(),
                    TcbStatus = TcbStatus.NotApplicable,
                });
    }
}
