using System.Text;
using System.Text.Json;
using SecGear.Attestation.Intel;

namespace SecGear.Attestation.Tests;

/// <summary>Flipping any single bit of a signed region (quote, QE report, TCB info, QE identity) fails verification.</summary>
public sealed class TamperTests
{
    [TestVectorTheory]
    [InlineData("sgx1")]
    [InlineData("tdx1")]
    [InlineData("tdx4")]
    public void Flipping_one_bit_in_any_byte_of_the_quote_signed_region_fails(string set)
    {
        var (quote, collateral) = NegativeSampleTests.Set(set);
        var parsed = Parse(quote);
        var time = set == "sgx1" ? Samples.Sgx1Time : set == "tdx1" ? Samples.Tdx1Time : Samples.Tdx4Time;
        var verifier = AttestationVerifier.CreateDefault();
        Assert.True(verifier.Verify(new Evidence(EvidenceFormats.IntelDcapQuote, quote), collateral, time).Succeeded, "warming the caches with the valid quote");

        for (int i = 0; i < parsed.SignedRegion.Length; i++)
        {
            var copy = (byte[])quote.Clone();
            copy[i] ^= (byte)(1 << (i % 8));
            var result = verifier.Verify(new Evidence(EvidenceFormats.IntelDcapQuote, copy), collateral, time);
            Assert.False(result.Succeeded, $"flipping bit {i % 8} of byte {i} still verified");
        }
    }

    [TestVectorTheory]
    [InlineData("sgx1")]
    [InlineData("tdx1")]
    public void Flipping_one_bit_in_any_byte_of_the_qe_report_fails_QeReportSignatureInvalid(string set)
    {
        var (quote, collateral) = NegativeSampleTests.Set(set);
        var time = set == "sgx1" ? Samples.Sgx1Time : Samples.Tdx1Time;
        int offset = OffsetOf(quote, Parse(quote).QeReport.Raw);
        var verifier = AttestationVerifier.CreateDefault();
        Assert.True(verifier.Verify(new Evidence(EvidenceFormats.IntelDcapQuote, quote), collateral, time).Succeeded, "warming the caches with the valid quote");

        for (int i = 0; i < SgxReportBody.Size; i++)
        {
            var copy = (byte[])quote.Clone();
            copy[offset + i] ^= (byte)(1 << (i % 8));
            var result = verifier.Verify(new Evidence(EvidenceFormats.IntelDcapQuote, copy), collateral, time);
            Assert.Equal(AttestationFailureCode.QeReportSignatureInvalid, result.Failure?.Code);
        }
    }

    [TestVectorFact]
    public void Flipping_one_bit_in_the_attestation_key_or_auth_data_breaks_the_qe_binding()
    {
        var quote = Samples.Sgx1Quote;
        var parsed = Parse(quote);
        int authOffset = OffsetOf(quote, parsed.QeAuthData);
        var copy = (byte[])quote.Clone();
        copy[authOffset] ^= 1;

        var result = Samples.Verify(copy, Samples.Sgx1Collateral, Samples.Sgx1Time);

        Assert.Equal(AttestationFailureCode.QeReportDataMismatch, result.Failure?.Code);
    }

    [TestVectorTheory]
    [InlineData("tcb_info", "tcb_info_signature")]
    [InlineData("qe_identity", "qe_identity_signature")]
    public void Flipping_one_bit_in_any_byte_of_signed_collateral_fails(string bodyKey, string signatureKey)
    {
        var json = JsonDocument.Parse(TestVectors.Read("sgx-dcap-v3/dcap-qvl/sgx_quote_collateral.json")).RootElement;
        var fields = json.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        var body = Encoding.UTF8.GetBytes(fields[bodyKey]);
        var verifier = AttestationVerifier.CreateDefault();
        var quote = new Evidence(EvidenceFormats.IntelDcapQuote, Samples.Sgx1Quote);
        Assert.True(verifier.Verify(quote, Samples.Sgx1Collateral, Samples.Sgx1Time).Succeeded, "warming the caches with the valid collateral");
        var wrapper = bodyKey == "tcb_info" ? "tcbInfo" : "enclaveIdentity";

        for (int i = 0; i < body.Length; i++)
        {
            var copy = (byte[])body.Clone();
            copy[i] ^= (byte)(1 << (i % 8));
            var response = Encoding.UTF8.GetBytes($"{{\"{wrapper}\":").Concat(copy).Concat(Encoding.UTF8.GetBytes($",\"signature\":\"{fields[signatureKey]}\"}}")).ToArray();
            var other = Encoding.UTF8.GetBytes(bodyKey == "tcb_info"
                ? $"{{\"enclaveIdentity\":{fields["qe_identity"]},\"signature\":\"{fields["qe_identity_signature"]}\"}}"
                : $"{{\"tcbInfo\":{fields["tcb_info"]},\"signature\":\"{fields["tcb_info_signature"]}\"}}");
            IntelCollateral collateral;
            try
            {
                collateral = IntelCollateral.FromPcsResponses(
                    bodyKey == "tcb_info" ? response : other,
                    Encoding.ASCII.GetBytes(fields["tcb_info_issuer_chain"]),
                    bodyKey == "tcb_info" ? other : response,
                    Encoding.ASCII.GetBytes(fields["qe_identity_issuer_chain"]),
                    Encoding.ASCII.GetBytes(fields["pck_crl"]),
                    Encoding.ASCII.GetBytes(fields["pck_crl_issuer_chain"]),
                    Encoding.ASCII.GetBytes(fields["root_ca_crl"]));
            }
            catch (AttestationException ex)
            {
                Assert.Equal(AttestationFailureCode.CollateralMalformed, ex.Failure.Code);
                continue;
            }

            var result = verifier.Verify(quote, collateral, Samples.Sgx1Time);
            Assert.False(result.Succeeded, $"flipping bit {i % 8} of {bodyKey} byte {i} still verified");
        }
    }

    [TestVectorFact]
    public void Unmodified_pcs_form_of_sgx1_collateral_verifies()
    {
        var json = JsonDocument.Parse(TestVectors.Read("sgx-dcap-v3/dcap-qvl/sgx_quote_collateral.json")).RootElement;
        var f = json.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        var collateral = IntelCollateral.FromPcsResponses(
            Encoding.UTF8.GetBytes($"{{\"tcbInfo\":{f["tcb_info"]},\"signature\":\"{f["tcb_info_signature"]}\"}}"),
            Encoding.ASCII.GetBytes(f["tcb_info_issuer_chain"]),
            Encoding.UTF8.GetBytes($"{{\"enclaveIdentity\":{f["qe_identity"]},\"signature\":\"{f["qe_identity_signature"]}\"}}"),
            Encoding.ASCII.GetBytes(f["qe_identity_issuer_chain"]),
            Convert.FromHexString(f["pck_crl"]),
            [],
            Encoding.ASCII.GetBytes(f["root_ca_crl"]));

        Assert.True(Samples.Verify(Samples.Sgx1Quote, collateral, Samples.Sgx1Time).Succeeded);
    }

    private static DcapQuote Parse(byte[] quote)
    {
        Assert.True(DcapQuoteParser.TryParse(quote, 1 << 20, out var parsed, out var failure), failure?.ToString());
        return parsed!;
    }

    private static int OffsetOf(byte[] quote, ReadOnlyMemory<byte> part)
    {
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(part, out var segment));
        Assert.Same(quote, segment.Array);
        return segment.Offset;
    }
}
