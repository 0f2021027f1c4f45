namespace SecGear.Attestation.Tests;

/// <summary>Policies built in code and loaded from JSON; each failure is named.</summary>
public sealed class PolicyTests
{
    private static AttestationClaims Claims(bool debug = false, TcbStatus status = TcbStatus.UpToDate, byte[]? reportData = null) => new()
    {
        Format = EvidenceFormats.IntelDcapQuote,
        Tee = TeeKind.Sgx,
        UniqueId = Enumerable.Repeat((byte)0xAA, 32).ToArray(),
        SignerId = Enumerable.Repeat((byte)0xBB, 32).ToArray(),
        ProductId = 3,
        SecurityVersion = 5,
        Debug = debug,
        ReportData = reportData ?? Enumerable.Repeat((byte)0x11, 32).Concat(new byte[32]).ToArray(),
        TcbStatus = status,
    };

    [Fact]
    public void Default_policy_accepts_up_to_date_production_claims() => Assert.Null(new AttestationPolicy().Evaluate(Claims()));

    [Fact]
    public void Empty_json_policy_binds_no_report_data_and_accepts_production_claims()
    {
        var policy = AttestationPolicy.FromJson("{}");

        Assert.Null(policy.ExpectedReportData);
        Assert.Null(policy.Evaluate(Claims()));
    }

    [Fact]
    public void Default_policy_refuses_debug_and_out_of_date()
    {
        Assert.Equal(AttestationFailureCode.PolicyDebugNotAllowed, new AttestationPolicy().Evaluate(Claims(debug: true))?.Code);
        Assert.Equal(AttestationFailureCode.PolicyTcbStatusNotAccepted, new AttestationPolicy().Evaluate(Claims(status: TcbStatus.OutOfDate))?.Code);
    }

    [Theory]
    [InlineData("{\"allowedUniqueIds\":[\"" + "cc" + "\"]}", AttestationFailureCode.PolicyUniqueIdNotAllowed)]
    [InlineData("{\"allowedSignerIds\":[\"00\"]}", AttestationFailureCode.PolicySignerIdNotAllowed)]
    [InlineData("{\"allowedProductIds\":[1,2]}", AttestationFailureCode.PolicyProductIdNotAllowed)]
    [InlineData("{\"minimumSecurityVersion\":6}", AttestationFailureCode.PolicySecurityVersionTooLow)]
    [InlineData("{\"acceptedTcbStatuses\":[\"SWHardeningNeeded\"]}", AttestationFailureCode.PolicyTcbStatusNotAccepted)]
    [InlineData("{\"expectedReportData\":\"1112\"}", AttestationFailureCode.PolicyReportDataMismatch)]
    [InlineData("{\"allowedTees\":[\"tdx\"]}", AttestationFailureCode.PolicyTeeNotAllowed)]
    public void Json_policy_names_the_failed_check(string json, AttestationFailureCode expected)
    {
        Assert.Equal(expected, AttestationPolicy.FromJson(json).Evaluate(Claims())?.Code);
    }

    [Fact]
    public void Json_policy_with_matching_reference_values_passes()
    {
        var json = $$"""
            {
              "allowedUniqueIds": ["{{new string('a', 64)}}"],
              "allowedSignerIds": ["{{new string('b', 64)}}"],
              "allowedProductIds": [3],
              "minimumSecurityVersion": 5,
              "acceptedTcbStatuses": ["UpToDate"],
              "allowDebug": false,
              "expectedReportData": "{{new string('1', 64)}}"
            }
            """;

        Assert.Null(AttestationPolicy.FromJson(json).Evaluate(Claims()));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{\"allowDebug\":\"yes\"}")]
    [InlineData("{\"unknown\":1}")]
    [InlineData("{\"allowedUniqueIds\":[\"zz\"]}")]
    [InlineData("{\"acceptedTcbStatuses\":[\"Fine\"]}")]
    [InlineData("{")]
    [InlineData("{\"expectedReportData\":\"11\",\"expectedHostReportData\":\"11\"}")]
    [InlineData("{\"expectedHostReportData\":7}")]
    public void Invalid_policy_json_throws_PolicyMalformed(string json)
    {
        var ex = Assert.Throws<AttestationException>(() => AttestationPolicy.FromJson(json));

        Assert.Equal(AttestationFailureCode.PolicyMalformed, ex.Failure.Code);
    }

    [TestVectorFact]
    public void Sgx1_passes_a_policy_pinning_its_measurements_and_fails_a_wrong_nonce()
    {
        var policy = new AttestationPolicy
        {
            AllowedUniqueIds = [Convert.FromHexString("33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb")],
            AllowedSignerIds = [Convert.FromHexString("815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6")],
            ExpectedReportData = "Hello, world!"u8.ToArray(),
        };

        Assert.True(Samples.Verify(Samples.Sgx1Quote, Samples.Sgx1Collateral, Samples.Sgx1Time, policy).Succeeded);
        var wrongNonce = new AttestationPolicy { ExpectedReportData = "Hello, World!"u8.ToArray() };
        Assert.Equal(AttestationFailureCode.PolicyReportDataMismatch, Samples.Verify(Samples.Sgx1Quote, Samples.Sgx1Collateral, Samples.Sgx1Time, wrongNonce).Failure?.Code);
    }

    [TestVectorTheory]
    [InlineData(1691539200L, true)]
    [InlineData(1691539201L, false)]
    public void Tdx4_tcb_baseline_date_accepts_out_of_date_only_on_or_before_its_tcb_date(long baselineUnixSeconds, bool accepted)
    {
        var policy = new AttestationPolicy { TcbBaselineDate = DateTimeOffset.FromUnixTimeSeconds(baselineUnixSeconds) };

        var result = Samples.Verify(Samples.Tdx4Quote, Samples.Tdx4Collateral, Samples.Tdx4Time, policy);

        Assert.Equal(accepted, result.Succeeded);
        Assert.Equal(accepted ? null : AttestationFailureCode.PolicyTcbStatusNotAccepted, result.Failure?.Code);
    }

    [Fact]
    public void Json_tcb_baseline_date_is_read()
    {
        var policy = AttestationPolicy.FromJson("{\"tcbBaselineDate\":\"2023-08-09T00:00:00Z\"}");

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1691539200), policy.TcbBaselineDate);
        Assert.Throws<AttestationException>(() => AttestationPolicy.FromJson("{\"tcbBaselineDate\":5}"));
    }

    [TestVectorFact]
    public void Tdx4_out_of_date_is_refused_by_default_and_accepted_when_the_policy_allows_it()
    {
        Assert.Equal(AttestationFailureCode.PolicyTcbStatusNotAccepted, Samples.Verify(Samples.Tdx4Quote, Samples.Tdx4Collateral, Samples.Tdx4Time, new AttestationPolicy()).Failure?.Code);
        var lenient = new AttestationPolicy { AcceptedTcbStatuses = [TcbStatus.UpToDate, TcbStatus.OutOfDate] };
        Assert.True(Samples.Verify(Samples.Tdx4Quote, Samples.Tdx4Collateral, Samples.Tdx4Time, lenient).Succeeded);
    }

    [Fact]
    public void Host_requested_report_data_matches_only_the_host_binding_of_the_nonce_and_never_the_raw_nonce()
    {
        byte[] nonce = Enumerable.Repeat((byte)0x42, 32).ToArray();
        var hostRequested = Claims(reportData: SecGear.Identity.HostReportData.Derive(nonce));
        var enclaveBound = Claims(reportData: nonce.Concat(new byte[32]).ToArray());
        var expectHost = AttestationPolicy.FromJson($$"""{ "expectedHostReportData": "{{Convert.ToHexStringLower(nonce)}}" }""");
        var expectEnclave = new AttestationPolicy { ExpectedReportData = nonce };

        Assert.Null(expectHost.Evaluate(hostRequested));
        Assert.Equal(AttestationFailureCode.PolicyReportDataMismatch, expectHost.Evaluate(enclaveBound)?.Code);
        Assert.Null(expectEnclave.Evaluate(enclaveBound));
        var refused = expectEnclave.Evaluate(hostRequested);
        Assert.Equal(AttestationFailureCode.PolicyReportDataMismatch, refused?.Code);
        Assert.Contains("host-requested", refused!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_policy_copied_with_new_report_data_keeps_every_other_rule()
    {
        var policy = AttestationPolicy.FromJson("""{ "allowedVmMeasurements": ["aa"], "fields": { "vm_rtmr0": ["bb"] }, "allowDebug": true }""");

        var copy = policy with { ExpectedReportData = new byte[] { 1 } };

        Assert.Equal(policy.AllowedVmMeasurements, copy.AllowedVmMeasurements);
        Assert.Equal(policy.AllowedFieldValues, copy.AllowedFieldValues);
        Assert.True(copy.AllowDebug);
    }
}
