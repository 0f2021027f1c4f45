using System.Text;
using SecGear.Attestation.NvidiaGpu;

namespace SecGear.Attestation.Tests.NvidiaGpu;

public sealed class NvidiaGpuSampleTests
{
    private readonly NvidiaGpuVerifier _verifier = new();

    [TestVectorFact]
    public void Gpu1_h100_report_verifies_with_its_nonce_firmware_id_and_versions()
    {
        var claims = _verifier.Verify(GpuSamples.Gpu1Evidence, null, GpuSamples.Gpu1Time).ThrowIfFailed();

        Assert.Equal(EvidenceFormats.NvidiaGpuReport, claims.Format);
        Assert.Equal(TeeKind.NvidiaGpu, claims.Tee);
        Assert.Equal(GpuSamples.Gpu1Nonce, Convert.ToHexStringLower(claims.ReportData.Span));
        Assert.Equal(GpuSamples.Gpu1Fwid, Convert.ToHexStringLower(claims.UniqueId.Span));
        Assert.Equal(GpuSamples.Gpu1Fwid, claims.Fields["fwid"]);
        Assert.Equal("550.90.07", claims.Fields["driver_version"]);
        Assert.Equal("96.00.9F.00.01", claims.Fields["vbios_version"]);
        Assert.Equal("882", claims.Fields["chip_sku"]);
        Assert.Equal("1010", claims.Fields["project"]);
        Assert.Equal("0200", claims.Fields["project_sku"]);
        Assert.Equal("55", claims.Fields["nvdec0_status"]);
        Assert.Equal("b1030000", claims.Fields["board_id"]);
        Assert.Equal("gpu", claims.Fields["device_kind"]);
        Assert.Equal("HOPPER", claims.Fields["architecture"]);
        Assert.Equal("41431D480FE5E87274", claims.Fields["device_id"]);
        Assert.StartsWith("b4b8a06a", claims.Fields["responder_nonce"], StringComparison.Ordinal);
        Assert.Equal("64", claims.Fields["measurement_block_count"]);
        Assert.Equal("false", claims.Fields["revocation_checked"]);
        Assert.StartsWith("not checked", claims.Fields["revocation"], StringComparison.Ordinal);
        Assert.Equal("false", claims.Fields["measurements_appraised"]);
        Assert.StartsWith("not appraised", claims.Fields["reference_values"], StringComparison.Ordinal);
        Assert.False(claims.Debug);
        Assert.Equal(TcbStatus.NotApplicable, claims.TcbStatus);
    }

    [TestVectorFact]
    public void Gpu1_measurement_blocks_match_trustees_expected_claims_by_index()
    {
        var claims = _verifier.Verify(GpuSamples.Gpu1Evidence, null, GpuSamples.Gpu1Time).ThrowIfFailed();
        using var expected = System.Text.Json.JsonDocument.Parse(TestVectors.Read("nvidia-gpu/trustee/hopperAttestationReport-claims.txt"));
        var measurements = expected.RootElement.GetProperty("measurements");

        Assert.Equal(64, measurements.EnumerateObject().Count());
        foreach (var block in measurements.EnumerateObject())
        {
            Assert.Equal(block.Value.GetString(), claims.Fields[$"measurement_{block.Name}"]);
        }

        Assert.Equal(expected.RootElement.GetProperty("config").GetProperty("fwid").GetString(), claims.Fields["fwid"]);
    }

    [TestVectorFact]
    public void Gpu1_nonce_binding_passes_for_the_challenge_and_fails_for_another()
    {
        var attestation = AttestationVerifier.CreateDefault();
        var evidence = Evidence.Detect(GpuSamples.Gpu1Evidence);
        var right = new AttestationPolicy { ExpectedReportData = Convert.FromHexString(GpuSamples.Gpu1Nonce) };
        var wrongNonce = Convert.FromHexString(GpuSamples.Gpu1Nonce);
        wrongNonce[31] ^= 1;

        Assert.Equal(EvidenceFormats.NvidiaGpuReport, evidence.Format);
        Assert.True(attestation.Verify(evidence, null, GpuSamples.Gpu1Time, right).Succeeded);
        Assert.Equal(
            AttestationFailureCode.PolicyReportDataMismatch,
            attestation.Verify(evidence, null, GpuSamples.Gpu1Time, new AttestationPolicy { ExpectedReportData = wrongNonce }).Failure?.Code);
    }

    [TestVectorFact]
    public void Trustee_envelope_with_hex_and_sdk_array_with_base64_both_verify()
    {
        string chain = Convert.ToBase64String(GpuSamples.Chain);
        string trustee = $$"""{"device_evidence_list":[{"arch":"HOPPER","uuid":"GPU-1","evidence":"{{Encoding.ASCII.GetString(GpuSamples.ReportHex)}}","certificate":"{{chain}}"}]}""";
        string sdk = $$"""[{"arch":"HOPPER","certificate":"{{chain}}","evidence":"{{Convert.ToBase64String(GpuSamples.Report)}}","nonce":"{{GpuSamples.Gpu1Nonce}}","version":"1.0"}]""";

        foreach (var json in new[] { trustee, sdk })
        {
            var evidence = Evidence.Detect(Encoding.UTF8.GetBytes(json));
            Assert.Equal(EvidenceFormats.NvidiaGpuReport, evidence.Format);
            Assert.True(_verifier.Verify(evidence.Data, null, GpuSamples.Gpu1Time).Succeeded);
        }
    }

    [TestVectorFact]
    public void A_json_envelope_with_two_devices_is_refused_as_malformed()
    {
        string entry = $$"""{"evidence":"{{Encoding.ASCII.GetString(GpuSamples.ReportHex)}}","certificate":"{{Convert.ToBase64String(GpuSamples.Chain)}}"}""";
        var json = Encoding.UTF8.GetBytes($$"""{"device_evidence_list":[{{entry}},{{entry}}]}""");

        var failure = _verifier.Verify(json, null, GpuSamples.Gpu1Time).Failure;

        Assert.Equal(AttestationFailureCode.EvidenceMalformed, failure?.Code);
        Assert.Contains("exactly one device", failure!.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void Device_evidence_is_not_accepted_under_the_rim_root()
    {
        var rimRootOnly = new NvidiaGpuVerifier(new NvidiaGpuVerifierOptions { DeviceTrustAnchors = NvidiaGpuVerifierOptions.NvidiaRimProduction });

        var failure = rimRootOnly.Verify(GpuSamples.Gpu1Evidence, null, GpuSamples.Gpu1Time).Failure;

        Assert.Equal(AttestationFailureCode.RootNotTrusted, failure?.Code);
        Assert.Contains("102BF659D5419614C9D8E6AECEBC80454EB26B1DF6A769AC720B9A690B167B48", failure!.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void A_report_that_differs_from_what_was_signed_fails_the_signature_even_with_a_warm_chain()
    {
        Assert.True(_verifier.Verify(GpuSamples.Gpu1Evidence, null, GpuSamples.Gpu1Time).Succeeded);
        var report = GpuSamples.Report;
        report[4] ^= 0x80; // the requester nonce

        var failure = _verifier.Verify(NvidiaGpuEvidence.Encode(report, GpuSamples.Chain), null, GpuSamples.Gpu1Time).Failure;

        Assert.Equal(AttestationFailureCode.EvidenceSignatureInvalid, failure?.Code);
    }

    [TestVectorFact]
    public void Verification_before_the_chain_is_valid_fails_naming_the_certificate()
    {
        var failure = _verifier.Verify(GpuSamples.Gpu1Evidence, null, TestVectors.At("2021-01-01T00:00:00Z")).Failure;

        Assert.Equal(AttestationFailureCode.CertificateExpired, failure?.Code);
        Assert.Contains("device certificate chain", failure!.Message, StringComparison.Ordinal);
    }
}
