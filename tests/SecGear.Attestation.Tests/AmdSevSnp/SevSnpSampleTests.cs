using SecGear.Attestation.AmdSevSnp;

namespace SecGear.Attestation.Tests.AmdSevSnp;

public sealed class SevSnpSampleTests
{
    internal static readonly DateTimeOffset GoSevGuestTime = TestVectors.At("2024-01-01T00:00:00Z");
    internal static readonly DateTimeOffset VleKTime = TestVectors.At("2025-06-01T00:00:00Z");

    private readonly SevSnpVerifier _verifier = new();

    internal static (byte[] Report, SevSnpCollateral Collateral) GoSevGuest() =>
        (TestVectors.Read("sev-snp/go-sev-guest/attestation.bin"),
         SevSnpCollateral.Create(TestVectors.Read("sev-snp/go-sev-guest/vcek.der"), TestVectors.Read("sev-snp/go-sev-guest/ask_ark_milan.pem")));

    internal static (byte[] Report, SevSnpCollateral Collateral) TrusteeVcek() =>
        (TestVectors.Read("sev-snp/trustee/test-report.bin"),
         SevSnpCollateral.Create(TestVectors.Read("sev-snp/trustee/test-vcek.der"), TestVectors.Read("sev-snp/trustee/milan_ask_ark_asvk.pem")));

    internal static (byte[] Report, SevSnpCollateral Collateral) TrusteeVlek() =>
        (TestVectors.Read("sev-snp/trustee/test-vlek-report.bin"),
         SevSnpCollateral.Create(TestVectors.Read("sev-snp/trustee/test-vlek.der"), TestVectors.Read("roots/amd/ask_ark_milan_vlek.pem")));

    [TestVectorFact]
    public void Snp1_go_sev_guest_report_verifies_and_surfaces_the_debug_policy()
    {
        var (report, collateral) = GoSevGuest();
        var claims = _verifier.Verify(report, collateral, GoSevGuestTime).ThrowIfFailed();

        Assert.Equal(EvidenceFormats.AmdSevSnpReport, claims.Format);
        Assert.Equal(TeeKind.SevSnp, claims.Tee);
        Assert.Equal("b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01", Convert.ToHexStringLower(claims.UniqueId.Span));
        Assert.Equal("0102030405" + new string('0', 118), Convert.ToHexStringLower(claims.ReportData.Span));
        Assert.True(claims.Debug);
        Assert.Equal("0xb0000", claims.Fields["policy"]);
        Assert.Equal("true", claims.Fields["policy_debug"]);
        Assert.Equal("VCEK", claims.Fields["signing_key"]);
        Assert.Equal("Milan", claims.Fields["product"]);
        Assert.Equal("0", claims.Fields["vmpl"]);
        Assert.StartsWith("0x4405000000000002 (fmc 0, bl 2, tee 0, snp 5, ucode 68)", claims.Fields["reported_tcb"], StringComparison.Ordinal);
        Assert.Equal("1.49.3", claims.Fields["current_firmware"]);
        Assert.True(claims.SignerId.IsEmpty);
        Assert.Equal(new string('0', 64), claims.Fields["host_data"]);
        Assert.Equal(TcbStatus.NotApplicable, claims.TcbStatus);
    }

    [TestVectorFact]
    public void Snp1_debug_report_is_rejected_by_a_production_policy_but_accepted_when_debug_is_allowed()
    {
        var (report, collateral) = GoSevGuest();
        var attestation = new AttestationVerifier();
        attestation.Register(_verifier);
        var evidence = new Evidence(EvidenceFormats.AmdSevSnpReport, report);

        var production = attestation.Verify(evidence, collateral, GoSevGuestTime, new AttestationPolicy());
        var debug = attestation.Verify(evidence, collateral, GoSevGuestTime, new AttestationPolicy { AllowDebug = true });

        Assert.Equal(AttestationFailureCode.PolicyDebugNotAllowed, production.Failure?.Code);
        Assert.True(debug.Succeeded, debug.Failure?.ToString());
    }

    [TestVectorFact]
    public void Snp2_virtee_hex_report_verifies_without_debug()
    {
        var report = TestVectors.ReadHex("sev-snp/virtee-sev/report_milan.hex");
        var collateral = SevSnpCollateral.Create(TestVectors.Read("sev-snp/virtee-sev/vcek_milan.der"), TestVectors.Read("sev-snp/virtee-sev/cert_chain_milan.pem"));

        var claims = _verifier.Verify(report, collateral, TestVectors.At("2025-01-01T00:00:00Z")).ThrowIfFailed();

        Assert.Equal("7a1e5c266c0108dbc9bb94fa926951320940915d0aafb42464bd88b579ea158d3e1a0dc39b2c60bd95b9c480cd81841f", Convert.ToHexStringLower(claims.UniqueId.Span));
        Assert.Equal("d447b55d197491bfe15cf298f9de9986b7a7c4be2468b4f6e2d53b71d7c645810b0f2cdfca0040433be063fc1a8293f0f3f8dae7b79fecb3d1cd82bd6a93ebfd", Convert.ToHexStringLower(claims.ReportData.Span));
        Assert.False(claims.Debug);
        Assert.Equal("0x30000", claims.Fields["policy"]);
        Assert.Equal("true", claims.Fields["policy_smt"]);
        Assert.Equal("0", claims.Fields["vmpl"]);
        Assert.Equal("1.52.4", claims.Fields["current_firmware"]);
        Assert.Contains("bl 3, tee 0, snp 8, ucode 115", claims.Fields["reported_tcb"], StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void Snp4_trustee_vcek_report_with_id_block_verifies_using_reported_tcb_not_current_tcb()
    {
        var (report, collateral) = TrusteeVcek();

        var claims = _verifier.Verify(report, collateral, TestVectors.At("2025-01-01T00:00:00Z")).ThrowIfFailed();

        Assert.Equal("a1f3930413247bb38cfc171579ea3c12d5fe4901f0c792f63fd75d98f1ef827c23500644e0e692e6be917f9050d3d38c", Convert.ToHexStringLower(claims.UniqueId.Span));
        Assert.Equal("ec6c52d7533cc2c4f45be7849cf112ab82b2009fe7bd43e71ed08c14400ad7e2" + new string('0', 64), Convert.ToHexStringLower(claims.ReportData.Span));
        Assert.Equal("0x3001f", claims.Fields["policy"]);
        Assert.Equal(4, claims.SecurityVersion);
        Assert.False(claims.SignerId.IsEmpty);
        Assert.StartsWith("01", claims.Fields["family_id"], StringComparison.Ordinal);
        Assert.StartsWith("02", claims.Fields["image_id"], StringComparison.Ordinal);
        Assert.Contains("ucode 115", claims.Fields["reported_tcb"], StringComparison.Ordinal);
        Assert.Contains("ucode 206", claims.Fields["current_tcb"], StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void Snp4_aws_vlek_report_version_3_verifies_through_the_asvk()
    {
        var (report, collateral) = TrusteeVlek();

        var claims = _verifier.Verify(report, collateral, VleKTime).ThrowIfFailed();

        Assert.Equal("3", claims.Fields["report_version"]);
        Assert.Equal("VLEK", claims.Fields["signing_key"]);
        Assert.Equal("1", claims.Fields["vmpl"]);
        Assert.Equal("0x30000", claims.Fields["policy"]);
        Assert.Equal("0x27", claims.Fields["platform_info"]);
        Assert.Equal("CN=cc-us-east-2.amazonaws.com", claims.Fields["csp_id"]);
        Assert.Equal(new string('0', 128), claims.Fields["chip_id"]);
        Assert.Contains("bl 4, tee 0, snp 24, ucode 217", claims.Fields["reported_tcb"], StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void Snp4_vlek_also_verifies_with_the_asvk_from_trustees_three_certificate_bundle()
    {
        var report = TestVectors.Read("sev-snp/trustee/test-vlek-report.bin");
        var collateral = SevSnpCollateral.Create(TestVectors.Read("sev-snp/trustee/test-vlek.der"), TestVectors.Read("sev-snp/trustee/milan_ask_ark_asvk.pem"));

        Assert.True(_verifier.Verify(report, collateral, VleKTime).Succeeded);
    }

    [TestVectorFact]
    public void Snp4_vlek_is_expired_one_year_after_issue()
    {
        var (report, collateral) = TrusteeVlek();

        var result = _verifier.Verify(report, collateral, TestVectors.At("2025-12-11T00:00:00Z"));

        Assert.Equal(AttestationFailureCode.CertificateExpired, result.Failure?.Code);
        Assert.Contains("VLEK", result.Failure!.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void Snp3_turin_vcek_chain_parses_with_an_8_byte_hardware_id()
    {
        var collateral = SevSnpCollateral.Create(TestVectors.Read("sev-snp/virtee-sev/vcek_turin.der"), TestVectors.Read("sev-snp/virtee-sev/cert_chain_turin.pem"));
        var extensions = AmdKeyExtensions.Read(collateral.KeyCertificate);

        Assert.Equal(SnpProduct.Turin, extensions.Product);
        Assert.Equal(8, extensions.HardwareId!.Length);
        Assert.Equal((0, 0, 0, 0, 9), (extensions.FmcSpl, extensions.BootLoaderSpl, extensions.TeeSpl, extensions.SnpSpl, extensions.MicrocodeSpl));
        Assert.True(AmdCertificateSignature.IsSignedBy(collateral.KeyCertificate, collateral.Chain[0]));
        Assert.True(AmdCertificateSignature.IsSignedBy(collateral.Chain[0], collateral.Chain[1]));
        Assert.True(SevSnpVerifierOptions.AmdProduction.Contains(collateral.Chain[1].RawData));
    }

    [TestVectorFact]
    public void Collateral_loads_from_one_pem_bundle_with_the_vcek_anywhere_in_it()
    {
        var (report, _) = GoSevGuest();
        var vcekPem = System.Text.Encoding.ASCII.GetBytes(System.Security.Cryptography.PemEncoding.WriteString("CERTIFICATE", TestVectors.Read("sev-snp/go-sev-guest/vcek.der")) + "\n");
        byte[] bundle = [.. TestVectors.Read("sev-snp/go-sev-guest/ask_ark_milan.pem"), .. vcekPem];

        var collateral = SevSnpCollateral.Load(bundle);

        Assert.True(_verifier.Verify(report, collateral, GoSevGuestTime).Succeeded);
        Assert.Equal(AttestationFailureCode.CollateralMalformed, Assert.Throws<AttestationException>(() => SevSnpCollateral.Load(TestVectors.Read("roots/amd/ask_ark_milan.pem"))).Failure.Code);
    }

    [Fact]
    public void Turin_tcb_version_layout_differs_from_milan()
    {
        const ulong raw = 0x0900_0000_0403_0201;

        var turin = SnpTcbVersion.FromRaw(raw, SnpProduct.Turin);
        var milan = SnpTcbVersion.FromRaw(raw, SnpProduct.Milan);

        Assert.Equal((1, 2, 3, 4, 9), ((int)turin.Fmc, (int)turin.BootLoader, (int)turin.Tee, (int)turin.Snp, (int)turin.Microcode));
        Assert.Equal((0, 1, 2, 0, 9), ((int)milan.Fmc, (int)milan.BootLoader, (int)milan.Tee, (int)milan.Snp, (int)milan.Microcode));
    }
}
