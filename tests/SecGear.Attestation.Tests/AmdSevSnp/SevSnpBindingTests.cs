using System.Security.Cryptography.X509Certificates;
using SecGear.Attestation.AmdSevSnp;

namespace SecGear.Attestation.Tests.AmdSevSnp;

public sealed class SevSnpBindingTests
{
    private static readonly DateTimeOffset Time = TestVectors.At("2025-01-01T00:00:00Z");

    private static (byte[] Report, X509Certificate2 Vcek) Real() =>
        (TestVectors.Read("sev-snp/trustee/test-report.bin"), X509CertificateLoader.LoadCertificate(TestVectors.Read("sev-snp/trustee/test-vcek.der")));

    [TestVectorFact]
    public void Report_resigned_under_a_pinned_test_chain_verifies()
    {
        var (report, vcek) = Real();
        using var chain = new SyntheticAmdChain(vcek);

        var claims = chain.Verifier.Verify(chain.Sign(report), chain.Collateral, Time).ThrowIfFailed();

        Assert.Equal("a1f3930413247bb38cfc171579ea3c12d5fe4901f0c792f63fd75d98f1ef827c23500644e0e692e6be917f9050d3d38c", Convert.ToHexStringLower(claims.UniqueId.Span));
    }

    [TestVectorFact]
    public void Self_signed_chain_is_not_trusted_by_the_production_verifier()
    {
        var (report, vcek) = Real();
        using var chain = new SyntheticAmdChain(vcek);

        var result = new SevSnpVerifier().Verify(chain.Sign(report), chain.Collateral, Time);

        Assert.Equal(AttestationFailureCode.RootNotTrusted, result.Failure?.Code);
    }

    [TestVectorFact]
    public void Vcek_for_another_microcode_level_fails_the_tcb_binding()
    {
        var (report, vcek) = Real();
        using var chain = new SyntheticAmdChain(vcek, (oid, raw) => oid == "1.3.6.1.4.1.3704.1.3.8" ? [0x02, 0x01, 116] : raw);

        var result = chain.Verifier.Verify(chain.Sign(report), chain.Collateral, Time);

        Assert.Equal(AttestationFailureCode.EndorsementTcbMismatch, result.Failure?.Code);
        Assert.Contains("ucodeSPL is 116", result.Failure!.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void Vcek_for_another_chip_fails_the_hardware_id_binding()
    {
        var (report, vcek) = Real();
        using var chain = new SyntheticAmdChain(vcek, (oid, raw) => oid == "1.3.6.1.4.1.3704.1.4" ? raw.Select(b => (byte)~b).ToArray() : raw);

        var result = chain.Verifier.Verify(chain.Sign(report), chain.Collateral, Time);

        Assert.Equal(AttestationFailureCode.EndorsementHardwareIdMismatch, result.Failure?.Code);
    }

    [TestVectorFact]
    public void Vcek_claiming_genoa_under_a_milan_ask_fails_the_product_check()
    {
        var (report, vcek) = Real();
        using var chain = new SyntheticAmdChain(vcek, (oid, raw) => oid == "1.3.6.1.4.1.3704.1.2" ? [0x16, 0x05, .. "Genoa"u8] : raw);

        var result = chain.Verifier.Verify(chain.Sign(report), chain.Collateral, Time);

        Assert.Equal(AttestationFailureCode.EndorsementProductMismatch, result.Failure?.Code);
    }

    [TestVectorFact]
    public void Vcek_with_a_malformed_spl_extension_is_rejected_as_malformed()
    {
        var (report, vcek) = Real();
        using var chain = new SyntheticAmdChain(vcek, (oid, raw) => oid == "1.3.6.1.4.1.3704.1.3.1" ? [0x04, 0x01, 0x00] : raw);

        var result = chain.Verifier.Verify(chain.Sign(report), chain.Collateral, Time);

        Assert.Equal(AttestationFailureCode.EndorsementCertificateMalformed, result.Failure?.Code);
    }
}
