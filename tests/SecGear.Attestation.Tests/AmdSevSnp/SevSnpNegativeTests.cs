using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using SecGear.Attestation.AmdSevSnp;

namespace SecGear.Attestation.Tests.AmdSevSnp;

public sealed class SevSnpNegativeTests
{
    private readonly SevSnpVerifier _verifier = new();

    [TestVectorFact]
    public void Forged_legacy_vcek_fails_the_ask_signature_check()
    {
        AssertForgedVcekRejected("sev-snp/trustee/test-vcek-invalid-legacy.der");
    }

    [TestVectorFact]
    public void Forged_new_vcek_fails_the_ask_signature_check()
    {
        AssertForgedVcekRejected("sev-snp/trustee/test-vcek-invalid-new.der");
    }

    [TestVectorFact]
    public void Forged_vcek_fails_the_report_signature_too_when_the_chain_is_not_consulted()
    {
        Assert.True(SnpReport.TryParse(TestVectors.Read("sev-snp/trustee/test-report.bin"), out var report, out _));
        foreach (var name in new[] { "test-vcek-invalid-legacy.der", "test-vcek-invalid-new.der" })
        {
            using var certificate = X509CertificateLoader.LoadCertificate(TestVectors.Read("sev-snp/trustee/" + name));
            using var key = certificate.GetECDsaPublicKey()!;
            Assert.False(key.VerifyData(report.SignedBytes, report.SignatureP1363(), HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        }
    }

    [TestVectorFact]
    public void Report_signed_by_another_chips_vcek_is_rejected()
    {
        var (report, _) = SevSnpSampleTests.TrusteeVcek();
        var other = SevSnpCollateral.Create(TestVectors.Read("sev-snp/go-sev-guest/vcek.der"), TestVectors.Read("sev-snp/go-sev-guest/ask_ark_milan.pem"));

        var result = _verifier.Verify(report, other, TestVectors.At("2025-01-01T00:00:00Z"));

        Assert.Equal(AttestationFailureCode.EvidenceSignatureInvalid, result.Failure?.Code);
    }

    [TestVectorFact]
    public void Chain_whose_ark_is_not_pinned_is_rejected()
    {
        var (report, collateral) = SevSnpSampleTests.GoSevGuest();
        var genoaOnly = new SevSnpVerifier(new SevSnpVerifierOptions { TrustAnchors = TrustAnchors.FromFingerprints([SevSnpVerifierOptions.ArkGenoaFingerprint]) });

        var result = genoaOnly.Verify(report, collateral, SevSnpSampleTests.GoSevGuestTime);

        Assert.Equal(AttestationFailureCode.RootNotTrusted, result.Failure?.Code);
    }

    [TestVectorFact]
    public void Milan_vcek_with_the_genoa_chain_is_rejected_for_a_missing_issuer()
    {
        var report = TestVectors.Read("sev-snp/go-sev-guest/attestation.bin");
        var collateral = SevSnpCollateral.Create(TestVectors.Read("sev-snp/go-sev-guest/vcek.der"), TestVectors.Read("roots/amd/ask_ark_genoa.pem"));

        var result = _verifier.Verify(report, collateral, SevSnpSampleTests.GoSevGuestTime);

        Assert.Equal(AttestationFailureCode.CertificateIssuerMismatch, result.Failure?.Code);
    }

    [TestVectorFact]
    public void Vlek_report_with_a_vcek_certificate_is_rejected()
    {
        var report = TestVectors.Read("sev-snp/trustee/test-vlek-report.bin");
        var (_, vcek) = SevSnpSampleTests.TrusteeVcek();

        var result = _verifier.Verify(report, vcek, SevSnpSampleTests.VleKTime);

        Assert.Equal(AttestationFailureCode.EndorsementCertificateMalformed, result.Failure?.Code);
    }

    [TestVectorFact]
    public void Report_before_the_vcek_validity_is_rejected_as_expired()
    {
        var (report, collateral) = SevSnpSampleTests.GoSevGuest();

        var result = _verifier.Verify(report, collateral, TestVectors.At("2021-01-01T00:00:00Z"));

        Assert.Equal(AttestationFailureCode.CertificateExpired, result.Failure?.Code);
    }

    [TestVectorFact]
    public void Missing_collateral_is_named()
    {
        var (report, _) = SevSnpSampleTests.GoSevGuest();

        Assert.Equal(AttestationFailureCode.CollateralMissing, _verifier.Verify(report, null, SevSnpSampleTests.GoSevGuestTime).Failure?.Code);
    }

    [TestVectorFact]
    public void Unreadable_collateral_throws_a_typed_exception()
    {
        var ex = Assert.Throws<AttestationException>(() => SevSnpCollateral.Create([1, 2, 3], TestVectors.Read("roots/amd/ask_ark_milan.pem")));
        Assert.Equal(AttestationFailureCode.CollateralMalformed, ex.Failure.Code);
        ex = Assert.Throws<AttestationException>(() => SevSnpCollateral.Create(TestVectors.Read("sev-snp/go-sev-guest/vcek.der"), "garbage"u8));
        Assert.Equal(AttestationFailureCode.CollateralMalformed, ex.Failure.Code);
    }

    private void AssertForgedVcekRejected(string forged)
    {
        var report = TestVectors.Read("sev-snp/trustee/test-report.bin");
        var collateral = SevSnpCollateral.Create(TestVectors.Read(forged), TestVectors.Read("sev-snp/trustee/milan_ask_ark_asvk.pem"));

        var result = _verifier.Verify(report, collateral, TestVectors.At("2025-01-01T00:00:00Z"));

        Assert.Equal(AttestationFailureCode.CertificateSignatureInvalid, result.Failure?.Code);
        Assert.Contains("VCEK", result.Failure!.Message, StringComparison.Ordinal);
    }
}
