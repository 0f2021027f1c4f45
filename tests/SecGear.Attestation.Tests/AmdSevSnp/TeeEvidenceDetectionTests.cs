
namespace SecGear.Attestation.Tests.AmdSevSnp;

public sealed class TeeEvidenceDetectionTests
{
    [TestVectorFact]
    public void Snp_reports_are_detected_in_binary_and_hex_text()
    {
        Assert.Equal(EvidenceFormats.AmdSevSnpReport, Evidence.Detect(TestVectors.Read("sev-snp/go-sev-guest/attestation.bin")).Format);
        var hex = Evidence.Detect(TestVectors.Read("sev-snp/virtee-sev/report_milan.hex"));
        Assert.Equal(EvidenceFormats.AmdSevSnpReport, hex.Format);
        Assert.Equal(1184, hex.Data.Length);
    }

    [TestVectorFact]
    public void Nitro_documents_are_detected_in_binary_and_base64_text()
    {
        Assert.Equal(EvidenceFormats.AwsNitroDocument, Evidence.Detect(TestVectors.Read("aws-nitro/veracruz/aws_nitro_document.cbor")).Format);
        foreach (var file in new[] { "aws-nitro/blocky-nitrite/nitro_attestation.b64", "aws-nitro/evervault/valid-attestation-doc-base64", "aws-nitro/blocky-nitrite/selfsigned_attestation.b64" })
        {
            var evidence = Evidence.Detect(TestVectors.Read(file));
            Assert.Equal(EvidenceFormats.AwsNitroDocument, evidence.Format);
            Assert.Equal(TestVectors.ReadBase64(file), evidence.Data.ToArray());
        }
    }

    [TestVectorFact]
    public void Cca_tokens_are_detected()
    {
        Assert.Equal(EvidenceFormats.ArmCcaToken, Evidence.Detect(TestVectors.Read("arm-cca/veraison-rust-ccatoken/cca-token-01.cbor")).Format);
    }

    [TestVectorFact]
    public void Default_verifier_verifies_detected_snp_and_nitro_evidence_end_to_end()
    {
        var verifier = AttestationVerifier.CreateDefault();
        var (report, collateral) = SevSnpSampleTests.TrusteeVcek();

        var snp = verifier.Verify(Evidence.Detect(report), collateral, TestVectors.At("2025-01-01T00:00:00Z"), new AttestationPolicy());
        var nitro = verifier.Verify(Evidence.Detect(TestVectors.Read("aws-nitro/veracruz/aws_nitro_document.cbor")), null, TestVectors.At("2022-11-09T22:52:00Z"), new AttestationPolicy());
        var cca = verifier.Verify(Evidence.Detect(TestVectors.Read("arm-cca/veraison-rust-ccatoken/cca-token-01.cbor")), null, DateTimeOffset.UnixEpoch);

        Assert.True(snp.Succeeded, snp.Failure?.ToString());
        Assert.True(nitro.Succeeded, nitro.Failure?.ToString());
        Assert.Equal(AttestationFailureCode.PlatformKeyNotTrusted, cca.Failure?.Code);
    }

    [Fact]
    public void Random_bytes_are_not_mistaken_for_a_tee_format()
    {
        var random = new Random(7);
        for (int i = 0; i < 100; i++)
        {
            var bytes = new byte[random.Next(1, 2000)];
            random.NextBytes(bytes);

            Assert.Equal(EvidenceFormats.Unknown, Evidence.Detect(bytes).Format);
        }
    }
}
