using System.Text.Json;

namespace SecGear.Cli.Tests;

/// <summary><c>secgear verify</c>: exit 0 only when the evidence verifies and the policy passes; JSON is the claims or the failure.</summary>
public sealed partial class VerifyCommandTests : IDisposable
{
    private readonly CliRun _cli = new();

    public void Dispose() => Directory.Delete(_cli.Directory, recursive: true);

    private static string V(string relative) => TestVectors.Path(relative);

    [TestVectorFact]
    public void Sgx1_verifies_with_exit_0_and_json_claims()
    {
        var (code, output, error) = _cli.Run("verify", "--evidence", V("sgx-dcap-v3/dcap-qvl/sgx_quote"), "--collateral", V("sgx-dcap-v3/dcap-qvl/sgx_quote_collateral.json"), "--time", "2025-07-04T00:00:00Z", "--json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("verified").GetBoolean());
        var claims = json.RootElement.GetProperty("claims");
        Assert.Equal("ConfigurationAndSWHardeningNeeded", claims.GetProperty("tcb_status").GetString());
        Assert.Equal("33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb", claims.GetProperty("unique_id").GetString());
        Assert.Equal(new[] { "INTEL-SA-00289", "INTEL-SA-00615" }, claims.GetProperty("advisory_ids").EnumerateArray().Select(a => a.GetString()!).ToArray());
    }

    [TestVectorFact]
    public void Azure_vtpm_envelope_is_detected_and_verifies_with_the_amd_chain()
    {
        var (code, output, error) = _cli.Run("verify", "--evidence", V("azure-vtpm/trustee/snp/evidence-v1.json"), "--collateral", V("roots/amd/ask_ark_milan.pem"), "--time", "2025-06-01T00:00:00Z", "--json");

        Assert.True(code == 0, error + output);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("azure-vtpm", json.RootElement.GetProperty("claims").GetProperty("format").GetString());
    }

    [TestVectorFact]
    public void Virtcca_token_without_platform_token_is_rejected_unless_the_flag_accepts_it()
    {
        string[] common = ["verify", "--evidence", V("virtcca/secgear/virtcca.cbor"), "--collateral", V("virtcca/secgear/virtcca_aik_cert.der"), "--collateral", V("roots/huawei/Huawei_IT_Product_CA.pem"), "--collateral", V("roots/huawei/Huawei_Equipment_Root_CA.pem"), "--time", "2025-06-01T00:00:00Z"];

        var (refused, _, error) = _cli.Run(common);
        var (accepted, output, acceptedError) = _cli.Run([.. common, "--virtcca-accept-unendorsed"]);

        Assert.Equal(1, refused);
        Assert.Contains("RealmTokenNotEndorsed", error, StringComparison.Ordinal);
        Assert.True(accepted == 0, acceptedError);
        Assert.Contains("VirtCca huawei-virtcca-token", output, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void Sev_snp_report_verifies_with_a_pem_bundle_of_vcek_and_amd_chain()
    {
        var vcek = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(File.ReadAllBytes(V("sev-snp/virtee-sev/vcek_milan.der")));
        var bundle = _cli.Path("snp.pem");
        File.WriteAllText(bundle, vcek.ExportCertificatePem() + "\n" + File.ReadAllText(V("sev-snp/virtee-sev/cert_chain_milan.pem")));

        var (code, output, error) = _cli.Run("verify", "--evidence", V("sev-snp/virtee-sev/report_milan.hex"), "--collateral", bundle, "--time", "2025-01-01T00:00:00Z", "--json");

        Assert.True(code == 0, error + output);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("verified").GetBoolean());
    }

    [TestVectorFact]
    public void Sev_snp_report_without_collateral_names_the_missing_collateral()
    {
        var (code, output, _) = _cli.Run("verify", "--evidence", V("sev-snp/virtee-sev/report_milan.hex"), "--time", "2025-01-01T00:00:00Z", "--json");

        Assert.Equal(1, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("CollateralMissing", json.RootElement.GetProperty("failure").GetProperty("code").GetString());
    }

    [TestVectorFact]
    public void Collateral_given_for_self_contained_nitro_evidence_is_a_usage_error()
    {
        var (code, _, error) = _cli.Run("verify", "--evidence", V("aws-nitro/veracruz/aws_nitro_document.cbor"), "--collateral", V("sgx-dcap-v3/dcap-qvl/sgx_quote_collateral.json"));

        Assert.Equal(SecGearCli.UsageError, code);
        Assert.Contains("--collateral does not apply", error);
    }

    [TestVectorFact]
    public void Cca_token_verifies_only_with_its_platform_key_and_a_broken_binding_is_rejected()
    {
        string keys = V("arm-cca/veraison-rust-ccatoken/ta-tfa.json");

        var (untrusted, _, _) = _cli.Run("verify", "--evidence", V("arm-cca/veraison-rust-ccatoken/cca-token-01.cbor"));
        var (trusted, _, error) = _cli.Run("verify", "--evidence", V("arm-cca/veraison-rust-ccatoken/cca-token-01.cbor"), "--cca-platform-keys", keys);
        var (unbound, output, _) = _cli.Run("verify", "--evidence", V("arm-cca/veraison-rust-ccatoken/bug-33-repro.cbor"), "--cca-platform-keys", keys, "--json");

        Assert.Equal(1, untrusted);
        Assert.True(trusted == 0, error);
        Assert.Equal(1, unbound);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("PlatformRealmBindingMismatch", json.RootElement.GetProperty("failure").GetProperty("code").GetString());
    }

    [TestVectorFact]
    public void Expired_collateral_exits_1_and_names_the_check_in_json()
    {
        var (code, output, _) = _cli.Run("verify", "--evidence", V("sgx-dcap-v3/dcap-qvl/sgx_quote"), "--collateral", V("sgx-dcap-v3/dcap-qvl/sgx_quote_collateral.json"), "--time", "2026-01-01T00:00:00Z", "--json");

        Assert.Equal(1, code);
        using var json = JsonDocument.Parse(output);
        Assert.False(json.RootElement.GetProperty("verified").GetBoolean());
        Assert.EndsWith("Expired", json.RootElement.GetProperty("failure").GetProperty("code").GetString(), StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void Debug_enclave_fails_a_policy_file_and_passes_one_that_allows_debug()
    {
        var strict = _cli.Path("strict.json");
        File.WriteAllText(strict, "{\"acceptedTcbStatuses\":[\"UpToDate\",\"SWHardeningNeeded\"]}");
        var lenient = _cli.Path("lenient.json");
        File.WriteAllText(lenient, "{\"allowDebug\":true,\"allowedProductIds\":[1]}");
        string[] common = ["verify", "--evidence", V("sgx-dcap-v3/openenclave-plugin/evidence"), "--collateral", V("sgx-dcap-v3/openenclave-plugin/endorsements"), "--time", "2022-05-10T00:00:00Z"];

        var (refused, _, error) = _cli.Run([.. common, "--policy", strict]);
        var (accepted, output, _) = _cli.Run([.. common, "--policy", lenient]);

        Assert.Equal(1, refused);
        Assert.Contains("PolicyDebugNotAllowed", error, StringComparison.Ordinal);
        Assert.Equal(0, accepted);
        Assert.Contains("SWHardeningNeeded", output, StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void Without_a_policy_the_default_policy_refuses_a_debug_enclave()
    {
        var (code, output, _) = _cli.Run("verify", "--evidence", V("sgx-dcap-v3/openenclave-plugin/evidence"), "--collateral", V("sgx-dcap-v3/openenclave-plugin/endorsements"), "--time", "2022-05-10T00:00:00Z", "--json");

        Assert.Equal(1, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("PolicyDebugNotAllowed", json.RootElement.GetProperty("failure").GetProperty("code").GetString());
        Assert.True(json.RootElement.GetProperty("claims").GetProperty("debug").GetBoolean());
    }

    [TestVectorFact]
    public void Tdx_quote_with_qve_collateral_dump_reports_TDRelaunchAdvised()
    {
        var policy = _cli.Path("relaunch.json");
        File.WriteAllText(policy, "{\"acceptedTcbStatuses\":[\"UpToDate\",\"TDRelaunchAdvised\"],\"allowedTees\":[\"Tdx\"]}");

        var (code, output, error) = _cli.Run("verify", "--evidence", V("tdx-v5/openenclave-relaunch/tdx_quote-moduleupdate-seamldr5.dat"), "--collateral", V("tdx-v5/openenclave-relaunch/tdx_endorsement_data.bin"), "--time", "2025-03-10T00:00:00Z", "--policy", policy, "--json");

        Assert.True(code == 0, error);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("TDRelaunchAdvised", json.RootElement.GetProperty("claims").GetProperty("tcb_status").GetString());
    }

    [Fact]
    public void Random_evidence_exits_1_with_a_typed_failure()
    {
        var file = _cli.Path("random.bin");
        File.WriteAllBytes(file, [3, 0, 2, 0, 1, 2, 3]);

        var (code, output, _) = _cli.Run("verify", "--evidence", file, "--json");

        Assert.Equal(1, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("UnsupportedEvidenceFormat", json.RootElement.GetProperty("failure").GetProperty("code").GetString());
    }

    [TestVectorFact]
    public void Tdx2_separate_PCS_pieces_given_as_repeated_collateral_are_merged()
    {
        string[] pieces = ["rootcrl.der", "pckcrl.der", "sample_qeIdentity_response.json", "tcbinfo_issuer_chain.pem", "pckcrl_issuer_chain.pem", "sample_tcbInfo_response.json", "qeidentity_issuer_chain.pem"];
        var args = new List<string> { "verify", "--evidence", V("tdx-v4/go-tdx-guest/tdx_prod_quote_SPR_E4.dat"), "--time", "2023-07-01T01:00:00Z", "--json" };
        foreach (var piece in pieces)
        {
            args.AddRange(["--collateral", V("tdx-v4/go-tdx-guest/" + piece)]);
        }

        var (code, output, _) = _cli.Run([.. args]);

        // SOURCES.md: every signature, chain and CRL of TDX-2 verifies; the platform matches no TCB level.
        Assert.Equal(1, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("TcbLevelNotSupported", json.RootElement.GetProperty("failure").GetProperty("code").GetString());
    }

    [TestVectorFact]
    public void Tdx2_pieces_without_the_root_CA_CRL_name_the_missing_piece()
    {
        var args = new List<string> { "verify", "--evidence", V("tdx-v4/go-tdx-guest/tdx_prod_quote_SPR_E4.dat"), "--time", "2023-07-01T01:00:00Z", "--json" };
        foreach (var piece in new[] { "pckcrl.der", "sample_qeIdentity_response.json", "tcbinfo_issuer_chain.pem", "sample_tcbInfo_response.json" })
        {
            args.AddRange(["--collateral", V("tdx-v4/go-tdx-guest/" + piece)]);
        }

        var (code, output, _) = _cli.Run([.. args]);

        Assert.Equal(1, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("CollateralMalformed", json.RootElement.GetProperty("failure").GetProperty("code").GetString());
        Assert.Contains("root CA CRL", json.RootElement.GetProperty("failure").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_time_is_a_usage_error()
    {
        var file = _cli.Path("q.bin");
        File.WriteAllBytes(file, [1]);

        Assert.Equal(2, _cli.Run("verify", "--evidence", file, "--time", "yesterday").ExitCode);
    }

    [TestVectorFact]
    public void Sev_snp_report_verifies_with_amd_kds_der_vcek_and_pem_chain_as_separate_files()
    {
        var (code, output, error) = _cli.Run(
            "verify", "--evidence", V("sev-snp/virtee-sev/report_milan.hex"), "--collateral", V("sev-snp/virtee-sev/vcek_milan.der"),
            "--collateral", V("sev-snp/virtee-sev/cert_chain_milan.pem"), "--time", "2025-01-01T00:00:00Z", "--json");

        Assert.True(code == 0, error + output);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("verified").GetBoolean());
    }

    [TestVectorFact]
    public void Sev_snp_der_vcek_alone_names_the_missing_amd_chain()
    {
        var (code, output, _) = _cli.Run("verify", "--evidence", V("sev-snp/virtee-sev/report_milan.hex"), "--collateral", V("sev-snp/virtee-sev/vcek_milan.der"), "--json");

        Assert.Equal(1, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("CollateralMalformed", json.RootElement.GetProperty("failure").GetProperty("code").GetString());
        Assert.Contains("ASK/ARK", json.RootElement.GetProperty("failure").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [TestVectorFact]
    public void One_PCS_piece_alone_names_the_missing_pieces()
    {
        var (code, output, _) = _cli.Run(
            "verify", "--evidence", V("tdx-v4/go-tdx-guest/tdx_prod_quote_SPR_E4.dat"), "--collateral", V("tdx-v4/go-tdx-guest/sample_tcbInfo_response.json"), "--json");

        Assert.Equal(1, code);
        using var json = JsonDocument.Parse(output);
        string message = json.RootElement.GetProperty("failure").GetProperty("message").GetString()!;
        Assert.Contains("the only collateral piece is a TCB info", message, StringComparison.Ordinal);
        Assert.Contains("QE identity", message, StringComparison.Ordinal);
        Assert.Contains("root CA CRL", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData("truncated")]
    public void Unreadable_evidence_with_non_intel_collateral_reports_the_evidence(string kind)
    {
        var evidence = _cli.Path("evidence.bin");
        File.WriteAllBytes(evidence, kind == "unknown" ? "not evidence at all"u8.ToArray() : [3, 0, 2, 0, 0, 0, 0, 0, .. new byte[60]]);
        var collateral = _cli.Path("vcek.der");
        File.WriteAllBytes(collateral, [0x30, 0x82, 0x01, 0x00, 1, 2, 3]);

        var (code, output, _) = _cli.Run("verify", "--evidence", evidence, "--collateral", collateral, "--json");

        Assert.Equal(1, code);
        using var json = JsonDocument.Parse(output);
        string failure = json.RootElement.GetProperty("failure").GetProperty("code").GetString()!;
        if (kind == "unknown")
        {
            Assert.Equal("UnsupportedEvidenceFormat", failure);
        }
        else
        {
            // The quote's own header check fails first (here: a zero QE vendor id), never an Intel collateral check.
            Assert.DoesNotContain("Collateral", failure, StringComparison.Ordinal);
            Assert.DoesNotContain("Collateral", json.RootElement.GetProperty("failure").GetProperty("message").GetString()!, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Garbage_simulation_ca_says_it_is_not_a_certificate()
    {
        var evidence = _cli.Path("evidence.bin");
        File.WriteAllBytes(evidence, [1, 2, 3]);
        var ca = _cli.Path("ca.der");
        File.WriteAllBytes(ca, "garbage, not DER"u8.ToArray());

        var (code, _, error) = _cli.Run("verify", "--evidence", evidence, "--simulation-ca", ca);

        Assert.Equal(2, code);
        Assert.Contains("is not a certificate", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2025-07-04T00:00:00Z", true)]
    [InlineData("2025-07-04T08:00:00.5+08:00", true)]
    [InlineData("2025-07-04", false)]
    [InlineData("2025-07-04T00:00:00", false)]
    [InlineData("07/04/2025 00:00", false)]
    [InlineData("yesterday", false)]
    public void Time_accepts_rfc3339_with_a_zone_only(string time, bool accepted)
    {
        var file = _cli.Path("q.bin");
        File.WriteAllBytes(file, [1]);

        var (code, _, error) = _cli.Run("verify", "--evidence", file, "--time", time);

        Assert.Equal(accepted ? 1 : 2, code);
        if (!accepted)
        {
            Assert.Contains("RFC 3339", error, StringComparison.Ordinal);
        }
    }
}
