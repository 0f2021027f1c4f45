using System.Text;
using SecGear.Attestation.Intel;

namespace SecGear.Attestation.Tests;

/// <summary>Every SGX/TDX set of SOURCES.md gives exactly the verdict, status, advisories and values listed there.</summary>
public sealed class IntelSampleTests
{
    [TestVectorFact]
    public void Sgx1_verifies_with_ConfigurationAndSWHardeningNeeded_and_its_advisories()
    {
        var result = Samples.Verify(Samples.Sgx1Quote, Samples.Sgx1Collateral, Samples.Sgx1Time);

        Assert.True(result.Succeeded, result.Failure?.ToString());
        var claims = result.Claims!;
        Assert.Equal(TeeKind.Sgx, claims.Tee);
        Assert.Equal(TcbStatus.ConfigurationAndSWHardeningNeeded, claims.TcbStatus);
        Assert.Equal(["INTEL-SA-00289", "INTEL-SA-00615"], claims.AdvisoryIds);
        Assert.Equal(new DateTimeOffset(2024, 3, 13, 0, 0, 0, TimeSpan.Zero), claims.TcbDate);
        Assert.Equal("00a067110000", claims.Fmspc);
        Assert.Equal("0000", claims.PceId);
        Assert.Equal(17, claims.TcbEvaluationDataNumber);
        Assert.Equal("33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb", Samples.Hex(claims.UniqueId));
        Assert.Equal("815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6", Samples.Hex(claims.SignerId));
        Assert.Equal(0, claims.ProductId);
        Assert.Equal(0, claims.SecurityVersion);
        Assert.False(claims.Debug);
        Assert.Equal("0500000000000000e700000000000000", claims.Fields["attributes"]);
        Assert.Equal(Encoding.ASCII.GetBytes("Hello, world!").Concat(new byte[51]).ToArray(), claims.ReportData.ToArray());
        Assert.Equal("UpToDate", claims.Fields["qe_tcb_status"]);
        Assert.Equal("10", claims.Fields["qe_isvsvn"]);
        Assert.Equal("13", claims.Fields["pck_pcesvn"]);
        Assert.StartsWith("11,11,2,2,255,1,0,0,", claims.Fields["pck_sgx_tcb_components"], StringComparison.Ordinal);
        Assert.Equal(DateTimeOffset.Parse("2025-06-19T10:56:11Z", System.Globalization.CultureInfo.InvariantCulture), claims.CollateralValidFrom);
        Assert.Equal(DateTimeOffset.Parse("2025-07-19T10:01:18Z", System.Globalization.CultureInfo.InvariantCulture), claims.CollateralValidUntil);
    }

    [TestVectorFact]
    public void Sgx2_verifies_SWHardeningNeeded_debug_enclave_that_a_production_policy_refuses()
    {
        var result = Samples.Verify(Samples.Sgx2Evidence, Samples.Sgx2Collateral, Samples.Sgx2Time);

        Assert.True(result.Succeeded, result.Failure?.ToString());
        var claims = result.Claims!;
        Assert.Equal(TcbStatus.SWHardeningNeeded, claims.TcbStatus);
        Assert.Equal(new DateTimeOffset(2021, 11, 10, 0, 0, 0, TimeSpan.Zero), claims.TcbDate);
        Assert.Equal("00906ed50000", claims.Fmspc);
        Assert.Equal(12, claims.TcbEvaluationDataNumber);
        Assert.Equal("UpToDate", claims.Fields["qe_tcb_status"]);
        Assert.Equal("91dd79e47cae70787883e617838c7c981cc9744ebac9756c8ce03f09057538ac", Samples.Hex(claims.UniqueId));
        Assert.Equal("bc71834fb17ac2be20fba8717616b75a9e39cf3f1872f1528b3678a89f5ff37c", Samples.Hex(claims.SignerId));
        Assert.Equal(1, claims.ProductId);
        Assert.Equal(1, claims.SecurityVersion);
        Assert.True(claims.Debug);
        Assert.Equal("07000000000000000700000000000000", claims.Fields["attributes"]);
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" + new string('0', 64), Samples.Hex(claims.ReportData));

        var refused = Samples.Verify(Samples.Sgx2Evidence, Samples.Sgx2Collateral, Samples.Sgx2Time, new AttestationPolicy());
        Assert.Equal(AttestationFailureCode.PolicyDebugNotAllowed, refused.Failure?.Code);
        Assert.NotNull(refused.Claims);
    }

    [TestVectorFact]
    public void Tdx1_verifies_UpToDate_with_its_td_measurements()
    {
        var result = Samples.Verify(Samples.Tdx1Quote, Samples.Tdx1Collateral, Samples.Tdx1Time);

        Assert.True(result.Succeeded, result.Failure?.ToString());
        var claims = result.Claims!;
        Assert.Equal(TeeKind.Tdx, claims.Tee);
        Assert.Equal(TcbStatus.UpToDate, claims.TcbStatus);
        Assert.Empty(claims.AdvisoryIds);
        Assert.Equal("b0c06f000000", claims.Fmspc);
        Assert.Equal("11", claims.Fields["pck_pcesvn"]);
        Assert.StartsWith("3,3,2,2,4,1,0,5,0,", claims.Fields["pck_sgx_tcb_components"], StringComparison.Ordinal);
        Assert.Equal("06010300000000000000000000000000", claims.Fields["tee_tcb_svn"]);
        Assert.Equal("UpToDate", claims.Fields["tdx_module_tcb_status"]);
        Assert.Equal("UpToDate", claims.Fields["qe_tcb_status"]);
        Assert.Equal("6", claims.Fields["qe_isvsvn"]);
        Assert.Equal(new string('0', 96), claims.Fields["mrsignerseam"]);
        Assert.Equal("91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7", Samples.Hex(claims.UniqueId));
        Assert.Equal("0000001000000000", claims.Fields["td_attributes"]);
        Assert.False(claims.Debug);
        Assert.Equal("e702060000000000", claims.Fields["xfam"]);
        Assert.StartsWith("44c0197b", claims.Fields["rtmr0"], StringComparison.Ordinal);
        Assert.StartsWith("0084452c", claims.Fields["rtmr1"], StringComparison.Ordinal);
        Assert.StartsWith("d833feef", claims.Fields["rtmr2"], StringComparison.Ordinal);
        Assert.Equal(new string('0', 96), claims.Fields["rtmr3"]);
        Assert.Equal("9a9d48e7f6799642d3d1b34e1e5e1742d4bb02dd6ddd551862c1211d35c304f9eca3efdbb481601c163cf52493d6e44aed55d51ec39b7e518fadb92c2b523f20", Samples.Hex(claims.ReportData));
        Assert.True(claims.SignerId.IsEmpty);
        Assert.Null(claims.ProductId);
    }

    [TestVectorFact]
    public void Tdx2_signatures_verify_but_no_tcb_level_matches()
    {
        var result = Samples.Verify(Samples.Tdx2Quote, Samples.Tdx2Collateral, Samples.Tdx2Time);

        Assert.Equal(AttestationFailureCode.TcbLevelNotSupported, result.Failure?.Code);
        var claims = Assert.IsType<AttestationClaims>(result.Claims);
        Assert.Equal(TcbStatus.NotSupported, claims.TcbStatus);
        Assert.Equal("50806f000000", claims.Fmspc);
        Assert.Equal("UpToDate", claims.Fields["qe_tcb_status"]);
        Assert.Equal("4", claims.Fields["qe_isvsvn"]);
        Assert.Equal("03000400000000000000000000000000", claims.Fields["tee_tcb_svn"]);
        Assert.StartsWith("2fd279c1", claims.Fields["mrseam"], StringComparison.Ordinal);
        Assert.EndsWith("c656", claims.Fields["mrseam"], StringComparison.Ordinal);
        Assert.Equal("0000004000000000", claims.Fields["td_attributes"]);
        Assert.Equal("6363b8043668a3ad953278e10389574d326c6749fb78aa810ecd9336923db86f22fc00b8dcd404bc10d5e119d7215cbb", Samples.Hex(claims.UniqueId));
        Assert.Equal("6c62dec1b8191749a31dab490be532a35944dea47caef1f980863993d9899545eb7406a38d1eed313b987a467dacead6f0c87a6d766c66f6f29f8acb281f1113", Samples.Hex(claims.ReportData));
    }

    [TestVectorFact]
    public void Tdx2_trailing_text_is_tolerated_by_default_and_rejected_when_strict()
    {
        var strict = new AttestationVerifier();
        strict.Register(new IntelDcapVerifier(new IntelDcapVerifierOptions { AllowTrailingBytes = false }));

        var result = strict.Verify(Evidence.Detect(Samples.Tdx2Quote), Samples.Tdx2Collateral, Samples.Tdx2Time);

        Assert.Equal(AttestationFailureCode.TrailingBytes, result.Failure?.Code);
        Assert.Contains("39 bytes", result.Failure!.Message, StringComparison.Ordinal);
        Assert.NotEqual(AttestationFailureCode.TrailingBytes, Samples.Verify(Samples.Tdx2Quote, Samples.Tdx2Collateral, Samples.Tdx2Time).Failure?.Code);
    }

    [TestVectorFact]
    public void Tdx2_pck_chain_is_expired_in_2053()
    {
        var result = Samples.Verify(Samples.Tdx2Quote, Samples.Tdx2Collateral, new DateTimeOffset(2053, 7, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(AttestationFailureCode.PckCertificateExpired, result.Failure?.Code);
        Assert.Contains("2029-09-20T13:20:31Z", result.Failure!.Message, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void Tdx3_module_updated_in_place_gives_TDRelaunchAdvised()
    {
        var result = Samples.Verify(Samples.Tdx3Quote, Samples.Tdx3Collateral, Samples.Tdx3Time);

        Assert.True(result.Succeeded, result.Failure?.ToString());
        var claims = result.Claims!;
        Assert.Equal(TcbStatus.TDRelaunchAdvised, claims.TcbStatus);
        Assert.Equal("90c06f000000", claims.Fmspc);
        Assert.Equal(18, claims.TcbEvaluationDataNumber);
        Assert.Equal(new DateTimeOffset(2024, 11, 13, 0, 0, 0, TimeSpan.Zero), claims.TcbDate);
        Assert.Equal("UpToDate", claims.Fields["sgx_tcb_status"]);
        Assert.Equal("OutOfDate", claims.Fields["tdx_module_tcb_status"]);
        Assert.Equal("TdReport15", claims.Fields["body_type"]);
        Assert.StartsWith("040103", claims.Fields["tee_tcb_svn"], StringComparison.Ordinal);
        Assert.StartsWith("070103", claims.Fields["tee_tcb_svn2"], StringComparison.Ordinal);
        Assert.Equal("ece51dc95034ed0e1aad68e57b2d9d0a54d79f5b75626adbc4bbe9576971e85ed33702d96be68134a841fb5de7f839bf", Samples.Hex(claims.UniqueId));
        Assert.Equal("0000001000000000", claims.Fields["td_attributes"]);
        Assert.Equal("9aa5e2de08cdb4cc1cf982ea2179b20f2b7fd9e18b74aac533b6aa760bb3d680" + new string('0', 64), Samples.Hex(claims.ReportData));
        Assert.Equal(new string('0', 96), claims.Fields["mrservicetd"]);
    }

    [TestVectorFact]
    public void Tdx4_verifies_OutOfDate_with_its_advisories()
    {
        var result = Samples.Verify(Samples.Tdx4Quote, Samples.Tdx4Collateral, Samples.Tdx4Time);

        Assert.True(result.Succeeded, result.Failure?.ToString());
        var claims = result.Claims!;
        Assert.Equal(TcbStatus.OutOfDate, claims.TcbStatus);
        Assert.Equal(new DateTimeOffset(2023, 8, 9, 0, 0, 0, TimeSpan.Zero), claims.TcbDate);
        string[] expected =
        [
            "INTEL-SA-00960", "INTEL-SA-00982", "INTEL-SA-00986", "INTEL-SA-01010", "INTEL-SA-01036", "INTEL-SA-01076", "INTEL-SA-01079",
            "INTEL-SA-01099", "INTEL-SA-01103", "INTEL-SA-01111", "INTEL-SA-01192", "INTEL-SA-01245", "INTEL-SA-01312", "INTEL-SA-01313",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), claims.AdvisoryIds.Order(StringComparer.Ordinal));
        Assert.Equal("00806f050000", claims.Fmspc);
        Assert.Equal("OutOfDate", claims.Fields["tdx_module_tcb_status"]);
        Assert.Equal("UpToDate", claims.Fields["qe_tcb_status"]);
        Assert.StartsWith("020106", claims.Fields["tee_tcb_svn"], StringComparison.Ordinal);
        Assert.StartsWith("020106", claims.Fields["tee_tcb_svn2"], StringComparison.Ordinal);
        Assert.Equal("aa083a82f5c83462c30d78d87f5e7db96947f3c6336c3f3de2133af8ce05125c8fea6917ad489674df2937f80809a0b3", Samples.Hex(claims.UniqueId));
        Assert.Equal("0000003000000000", claims.Fields["td_attributes"]);
        Assert.StartsWith("4a4e0a2b", claims.Fields["rtmr0"], StringComparison.Ordinal);
        Assert.StartsWith("b2cdfa15", claims.Fields["rtmr2"], StringComparison.Ordinal);
        Assert.Equal(claims.Fields["rtmr2"], claims.Fields["rtmr3"]);
        Assert.Equal("fe137531a4f9ec8fcba90d1040f3e9ea86ec933ff99570b5d0ef6aa752d69abb1d0ece885d22e8289345ab90ed084cea", claims.Fields["mrservicetd"]);
        Assert.Equal("18327130a1894f441620e0ac3a5adc265cfafcc11ad919432212b912ac11cfc54440f5e5c94429df65098c9f6368c5bf62c2807d9b9ac0bdac79d0588b9f1dcf", Samples.Hex(claims.ReportData));
    }
}
