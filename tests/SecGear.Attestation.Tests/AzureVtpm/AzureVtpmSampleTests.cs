using System.Security.Cryptography;
using System.Text;
using SecGear.Attestation.AzureVtpm;

namespace SecGear.Attestation.Tests.AzureVtpm;

public sealed class AzureVtpmSampleTests
{
    private const string MeasurementV1 = "6a063be9dd79f6371c842e480f8dc3b5c725961344e57130e88c5adf49e8f7f6c79b75a5eb77fc769959f4aeb2f9401e";

    [TestVectorTheory]
    [InlineData(0, MeasurementV1, "e15c44796beabf46abcec7c57e590942041e47497e4ec27571c8b7664f48dced")]
    [InlineData(1, MeasurementV1, "e15c44796beabf46abcec7c57e590942041e47497e4ec27571c8b7664f48dced")]
    [InlineData(2, "5b0ce64ad1c1f6375dbda5f760b98526ca1bcf91b8195091afc28e7b024251d68fe32e05af34048d6607678cd23283ff", "84275b2f4312cd4fc6cbe6b152ad3c3683e513d9f1e23c34fca160c8cca7a6a7")]
    public void Snp_envelopes_verify_end_to_end_to_the_milan_ark(int version, string measurement, string pcr0)
    {
        var claims = new AzureVtpmVerifier().Verify(AzureVectors.Envelope(version), AzureVectors.Milan(), AzureVectors.Time).ThrowIfFailed();

        Assert.Equal(EvidenceFormats.AzureVtpm, claims.Format);
        Assert.Equal(TeeKind.SevSnp, claims.Tee);
        Assert.Equal(measurement, Convert.ToHexStringLower(claims.UniqueId.Span));
        Assert.Equal(pcr0, claims.Fields["pcr0"]);
        Assert.Equal("true", claims.Fields["hardware_verified"]);
        Assert.Equal("0", claims.Fields["vmpl"]);
        Assert.False(claims.Debug);
        var nonce = version == 2 ? Convert.FromHexString("982f5c6e45df0ed3f10b6f60b02f0c8390e281300f3805e2279c16168cd6ae9aa398f647caa2338748cd0fd9f5f819ef") : Encoding.ASCII.GetBytes("challenge");
        Assert.Equal(nonce, claims.ReportData.ToArray());
    }

    [TestVectorFact]
    public void Default_verifier_detects_the_envelope_and_the_policy_checks_the_nonce()
    {
        var evidence = Evidence.Detect(AzureVectors.Envelope(1));
        var collateral = CollateralLoader.Load(evidence.Format, [TestVectors.Read("roots/amd/ask_ark_milan.pem")]);
        var verifier = AttestationVerifier.CreateDefault();

        var good = verifier.Verify(evidence, collateral, AzureVectors.Time, new AttestationPolicy { ExpectedReportData = Encoding.ASCII.GetBytes("challenge") });
        var stale = verifier.Verify(evidence, collateral, AzureVectors.Time, new AttestationPolicy { ExpectedReportData = Encoding.ASCII.GetBytes("another") });

        Assert.Equal(EvidenceFormats.AzureVtpm, evidence.Format);
        Assert.True(good.Succeeded, good.Failure?.ToString());
        Assert.Equal(AttestationFailureCode.PolicyReportDataMismatch, stale.Failure?.Code);
    }

    [TestVectorFact]
    public void Hcl_report_of_2023_wrapping_the_snp4_report_verifies_with_its_quote_without_pcr_values()
    {
        var envelope = AzureVectors.Compose(
            TestVectors.Read(AzureVectors.Snp + "az-hcl-data.bin"),
            TestVectors.Read(AzureVectors.Snp + "tpm-quote.msg"),
            TestVectors.Read(AzureVectors.Snp + "tpm-quote.sig"),
            [],
            TestVectors.Read("sev-snp/trustee/test-vcek.der"));

        var claims = new AzureVtpmVerifier().Verify(envelope, AzureVectors.Milan(), AzureVectors.Snp4Time).ThrowIfFailed();

        Assert.Equal("false", claims.Fields["tpm_pcr_values_supplied"]);
        Assert.Equal("9d608cf40eb5bc7454c6cbc0985c17c2efa45d5e5b28004aa7d77c1285d2fa5d", claims.Fields["tpm_pcr_digest"]);
        Assert.Equal("000B:0,1,2,3,4,5,6,7,14", claims.Fields["tpm_pcr_selection"]);
        Assert.Equal("a1f3930413247bb38cfc171579ea3c12d5fe4901f0c792f63fd75d98f1ef827c23500644e0e692e6be917f9050d3d38c", Convert.ToHexStringLower(claims.UniqueId.Span));
    }

    [TestVectorTheory]
    [InlineData(0)]
    [InlineData(2)]
    public void Quote_whose_key_is_not_in_the_hcl_report_is_rejected_with_every_available_key(int version)
    {
        var (signature, message, pcrs) = TpmQuote.ReadBincode(TestVectors.Read(AzureVectors.Snp + "quote.bin"))!.Value;
        var (hcl, _, _, _, vcek) = AzureVectors.Pieces(AzureVectors.Compose(AzureVectors.Pieces(AzureVectors.Envelope(version)).Hcl, [], new byte[256], [], AzureVectors.Pieces(AzureVectors.Envelope(version)).Vcek));
        var verifier = new AzureVtpmVerifier();

        foreach (var carrier in new[] { hcl, TestVectors.Read(AzureVectors.Snp + "az-hcl-data.bin"), TestVectors.Read(AzureVectors.Tdx + "hcl_report_tdx.bin") })
        {
            var result = verifier.Verify(AzureVectors.Compose(carrier, message, signature, pcrs, vcek), AzureVectors.Milan(), AzureVectors.Time);

            Assert.Equal(AttestationFailureCode.QuoteSignatureInvalid, result.Failure?.Code);
            Assert.Null(result.Claims);
        }
    }

    [TestVectorFact]
    public void Quote_in_hex_json_and_in_bincode_are_the_same_quote()
    {
        var json = System.Text.Json.JsonDocument.Parse(TestVectors.Read(AzureVectors.Snp + "tpm-quote-v1.json")).RootElement;
        var (signature, message, pcrs) = TpmQuote.ReadBincode(TestVectors.Read(AzureVectors.Snp + "quote.bin"))!.Value;

        Assert.Equal(json.GetProperty("message").GetString(), Convert.ToHexStringLower(message));
        Assert.Equal(json.GetProperty("signature").GetString(), Convert.ToHexStringLower(signature));
        Assert.Equal("f3a7e99a5f819a034386bce753a48a73cfdaa0bea0ecfc124bedbf5a8c4799be", Convert.ToHexStringLower(pcrs[0]));
    }

    [TestVectorFact]
    public void Tdx_hcl_report_without_a_td_quote_is_reported_not_verifiable_with_consistent_vtpm_claims()
    {
        var result = new AzureVtpmVerifier().Verify(AzureVectors.TdxEnvelope(), null, AzureVectors.Time);

        Assert.Equal(AttestationFailureCode.HardwareReportNotVerifiable, result.Failure?.Code);
        var claims = result.Claims!;
        Assert.Equal(TeeKind.Tdx, claims.Tee);
        Assert.Equal("false", claims.Fields["hardware_verified"]);
        Assert.Equal("024a32b070383331181619fa387cb4d55d1e38879f989933055ccad5bc2db795d1737b66205949d15469dc8c1ba7ab7b", Convert.ToHexStringLower(claims.UniqueId.Span));
        Assert.Equal("782b20b10f55cc46e2142cc2145d548698073e5beb82752c8d7f9279f0d8a273", claims.Fields["pcr0"]);
        Assert.StartsWith("9734504f161d104c74e3165c15f779b06a9bb40dfa71937817d7eee68e593839", claims.Fields["hardware_report_data"], StringComparison.Ordinal);
        Assert.Equal("e718060000000000", claims.Fields["xfam"]);
        Assert.False(claims.Debug);
        Assert.Equal(EvidenceFormats.AzureVtpm, Evidence.Detect(AzureVectors.TdxEnvelope()).Format);
    }

    [TestVectorFact]
    public void Tdx_envelope_whose_td_quote_is_of_another_td_fails_the_binding()
    {
        var tdx = System.Text.Json.Nodes.JsonNode.Parse(AzureVectors.TdxEnvelope())!;
        tdx["td_quote"] = System.Buffers.Text.Base64Url.EncodeToString(TestVectors.Read(TdxOne.Quote));
        var collateral = AzureVtpmCollateral.ForTdx(global::SecGear.Attestation.Intel.IntelCollateral.Load(TestVectors.Read(TdxOne.Collateral)));

        var result = new AzureVtpmVerifier().Verify(Encoding.UTF8.GetBytes(tdx.ToJsonString()), collateral, TdxOne.Time);

        Assert.Equal(AttestationFailureCode.RuntimeDataBindingMismatch, result.Failure?.Code);
        Assert.Contains("is not of the TD in the HCL report", result.Failure!.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void Runtime_data_changed_without_touching_the_key_fails_the_report_data_binding()
    {
        var (hcl, message, signature, pcrs, vcek) = AzureVectors.Pieces(AzureVectors.Envelope(1));
        int at = IndexOf(hcl, "\"vm-configuration\""u8);
        hcl[at + 1] = (byte)'V';

        var result = new AzureVtpmVerifier().Verify(AzureVectors.Compose(hcl, message, signature, pcrs, vcek), AzureVectors.Milan(), AzureVectors.Time);

        Assert.Equal(AttestationFailureCode.RuntimeDataBindingMismatch, result.Failure?.Code);
    }

    [TestVectorFact]
    public void Pcr_value_changed_fails_the_pcr_digest()
    {
        var (hcl, message, signature, pcrs, vcek) = AzureVectors.Pieces(AzureVectors.Envelope(1));
        pcrs[7] = SHA256.HashData(pcrs[7]);

        var result = new AzureVtpmVerifier().Verify(AzureVectors.Compose(hcl, message, signature, pcrs, vcek), AzureVectors.Milan(), AzureVectors.Time);

        Assert.Equal(AttestationFailureCode.PcrDigestMismatch, result.Failure?.Code);
    }

    [TestVectorFact]
    public void Version_1_evidence_relabelled_as_version_2_fails_the_user_data_binding()
    {
        var (hcl, message, signature, pcrs, vcek) = AzureVectors.Pieces(AzureVectors.Envelope(1));

        var result = new AzureVtpmVerifier().Verify(AzureVectors.Compose(hcl, message, signature, pcrs, vcek, version: 2), AzureVectors.Milan(), AzureVectors.Time);

        Assert.Equal(AttestationFailureCode.UserDataBindingMismatch, result.Failure?.Code);
    }

    [TestVectorFact]
    public void Snp_envelope_without_the_amd_chain_fails_as_collateral_missing()
    {
        Assert.Equal(AttestationFailureCode.CollateralMissing, new AzureVtpmVerifier().Verify(AzureVectors.Envelope(1), null, AzureVectors.Time).Failure?.Code);
    }

    [TestVectorFact]
    public void Snp_envelope_with_a_genoa_chain_fails_in_the_wrapped_snp_verifier()
    {
        var result = new AzureVtpmVerifier().Verify(AzureVectors.Envelope(1), AzureVtpmCollateral.ForSnp(TestVectors.Read("roots/amd/ask_ark_genoa.pem")), AzureVectors.Time);

        Assert.False(result.Succeeded);
        Assert.StartsWith("SEV-SNP report in the HCL report: ", result.Failure!.Message, StringComparison.Ordinal);
    }

    private static int IndexOf(byte[] haystack, ReadOnlySpan<byte> needle) => haystack.AsSpan().IndexOf(needle);
}
