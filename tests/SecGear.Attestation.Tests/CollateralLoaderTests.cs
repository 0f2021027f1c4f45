using SecGear.Attestation.Tests.AmdSevSnp;

namespace SecGear.Attestation.Tests;

/// <summary><see cref="CollateralLoader.TryLoad"/>: evidence before collateral, AMD KDS forms, lone PCS pieces.</summary>
public sealed class CollateralLoaderTests
{
    [Fact]
    public void Unknown_evidence_with_any_collateral_fails_as_unsupported_evidence()
    {
        var evidence = Evidence.Detect("neither a quote nor a report"u8);

        Assert.False(CollateralLoader.TryLoad(evidence, [new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01 }], out _, out var failure));
        Assert.Equal(AttestationFailureCode.UnsupportedEvidenceFormat, failure.Code);
    }

    [TestVectorFact]
    public void Truncated_quote_with_collateral_fails_as_evidence_not_collateral()
    {
        var evidence = new Evidence(EvidenceFormats.IntelDcapQuote, Samples.Sgx1Quote.AsSpan(0, 700));

        Assert.False(CollateralLoader.TryLoad(evidence, [TestVectors.Read("sev-snp/virtee-sev/vcek_milan.der")], out _, out var failure));
        Assert.Equal(AttestationFailureCode.EvidenceMalformed, failure.Code);
    }

    [TestVectorFact]
    public void Sev_snp_der_vcek_and_pem_chain_pieces_verify()
    {
        var report = TestVectors.ReadHex("sev-snp/virtee-sev/report_milan.hex");
        var evidence = new Evidence(EvidenceFormats.AmdSevSnpReport, report);

        Assert.True(CollateralLoader.TryLoad(
            evidence, [TestVectors.Read("sev-snp/virtee-sev/vcek_milan.der"), TestVectors.Read("sev-snp/virtee-sev/cert_chain_milan.pem")], out var collateral, out var failure), failure?.ToString());
        Assert.True(AttestationVerifier.CreateDefault().Verify(evidence, collateral, TestVectors.At("2025-01-01T00:00:00Z")).Succeeded);
    }

    [TestVectorFact]
    public void Lone_pcs_qe_identity_names_the_other_pieces()
    {
        var ex = Assert.Throws<AttestationException>(() => CollateralLoader.Load(EvidenceFormats.IntelDcapQuote, [TestVectors.Read("tdx-v4/go-tdx-guest/sample_qeIdentity_response.json")]));

        Assert.Equal(AttestationFailureCode.CollateralMalformed, ex.Failure.Code);
        Assert.Contains("the only collateral piece is a QE identity", ex.Failure.Message, StringComparison.Ordinal);
        Assert.Contains("TCB info", ex.Failure.Message, StringComparison.Ordinal);
    }
}
