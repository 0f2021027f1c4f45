using System.Text.Json.Nodes;

namespace SecGear.Attestation.Tests.Intel;

/// <summary>
/// The QE identity's TCB status combined with the platform's as Intel's QVL does (convergeTcbStatus), on SGX-1 moved to
/// a test PKI with its TCB info and QE identity edited and re-signed (see <see cref="ResignedSgxSample"/>).
/// SGX-1's QE has ISVSVN 10 and its platform level is ConfigurationAndSWHardeningNeeded (INTEL-SA-00289, -00615).
/// </summary>
public sealed class QeTcbStatusTests
{
    private static readonly string[] PlatformAdvisories = ["INTEL-SA-00289", "INTEL-SA-00615"];

    /// <summary>QE identity levels: <paramref name="levels"/> as (isvsvn, status, advisories), best first.</summary>
    private static Action<JsonObject> QeLevels(params (int IsvSvn, string Status, string[] Advisories)[] levels) => qe =>
    {
        var array = new JsonArray();
        foreach (var (isvSvn, status, advisories) in levels)
        {
            var level = new JsonObject
            {
                ["tcb"] = new JsonObject { ["isvsvn"] = isvSvn },
                ["tcbDate"] = "2024-03-13T00:00:00Z",
                ["tcbStatus"] = status,
            };
            if (advisories.Length > 0)
            {
                level["advisoryIDs"] = new JsonArray([.. advisories.Select(a => (JsonNode)JsonValue.Create(a))]);
            }

            array.Add(level);
        }

        qe["tcbLevels"] = array;
    };

    /// <summary>Sets the status of every TCB info level (the matched one included) and clears their advisories.</summary>
    private static Action<JsonObject> PlatformStatus(string status) => info =>
    {
        foreach (var level in info["tcbLevels"]!.AsArray())
        {
            level!["tcbStatus"] = status;
            level.AsObject().Remove("advisoryIDs");
        }
    };

    [TestVectorFact]
    public void Resigned_collateral_without_edits_gives_SGX1s_real_verdict()
    {
        using var sample = new ResignedSgxSample();

        var result = sample.Verify(sample.Collateral());

        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.Equal(TcbStatus.ConfigurationAndSWHardeningNeeded, result.Claims!.TcbStatus);
        Assert.Equal(PlatformAdvisories, result.Claims.AdvisoryIds);
        Assert.Equal("UpToDate", result.Claims.Fields["qe_tcb_status"]);
    }

    [TestVectorFact]
    public void The_real_trust_anchor_does_not_accept_the_resigned_sample()
    {
        using var sample = new ResignedSgxSample();

        var result = Samples.Verify(sample.Quote, sample.Collateral(), Samples.Sgx1Time);

        Assert.Equal(AttestationFailureCode.RootNotTrusted, result.Failure?.Code);
    }

    [TestVectorFact]
    public void Out_of_date_QE_turns_configuration_needed_into_OutOfDateConfigurationNeeded_and_merges_advisories()
    {
        using var sample = new ResignedSgxSample();

        var result = sample.Verify(sample.Collateral(editQeIdentity: QeLevels((11, "UpToDate", []), (8, "OutOfDate", ["INTEL-SA-00615", "INTEL-SA-99999"]))));

        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.Equal(TcbStatus.OutOfDateConfigurationNeeded, result.Claims!.TcbStatus);
        Assert.Equal(["INTEL-SA-00289", "INTEL-SA-00615", "INTEL-SA-99999"], result.Claims.AdvisoryIds);
        Assert.Equal("OutOfDate", result.Claims.Fields["qe_tcb_status"]);
        Assert.Equal("INTEL-SA-00615,INTEL-SA-99999", result.Claims.Fields["qe_advisory_ids"]);
    }

    [TestVectorTheory]
    [InlineData("UpToDate")]
    [InlineData("SWHardeningNeeded")]
    public void Out_of_date_QE_turns_an_up_to_date_or_hardening_platform_OutOfDate(string platform)
    {
        using var sample = new ResignedSgxSample();

        var result = sample.Verify(sample.Collateral(PlatformStatus(platform), QeLevels((11, "UpToDate", []), (8, "OutOfDate", ["INTEL-SA-99999"]))));

        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.Equal(TcbStatus.OutOfDate, result.Claims!.TcbStatus);
        Assert.Equal(["INTEL-SA-99999"], result.Claims.AdvisoryIds);
    }

    [TestVectorFact]
    public void Up_to_date_QE_leaves_an_up_to_date_platform_UpToDate_and_adds_its_advisories()
    {
        using var sample = new ResignedSgxSample();

        var result = sample.Verify(sample.Collateral(PlatformStatus("UpToDate"), QeLevels((8, "UpToDate", ["INTEL-SA-99998"]))));

        Assert.True(result.Succeeded, result.Failure?.ToString());
        Assert.Equal(TcbStatus.UpToDate, result.Claims!.TcbStatus);
        Assert.Equal(["INTEL-SA-99998"], result.Claims.AdvisoryIds);
    }

    [TestVectorFact]
    public void QE_at_a_Revoked_level_makes_the_status_Revoked()
    {
        using var sample = new ResignedSgxSample();

        var result = sample.Verify(sample.Collateral(PlatformStatus("UpToDate"), QeLevels((11, "UpToDate", []), (8, "Revoked", ["INTEL-SA-99997"]))));

        Assert.False(result.Succeeded);
        Assert.Equal(AttestationFailureCode.QeTcbRevoked, result.Failure!.Code);
        Assert.Contains("at a Revoked level", result.Failure.Message, StringComparison.Ordinal);
        Assert.Equal(TcbStatus.Revoked, result.Claims!.TcbStatus);
        Assert.Contains("INTEL-SA-99997", result.Claims.AdvisoryIds);
    }

    [TestVectorFact]
    public void QE_below_every_level_is_Revoked_as_in_QVL()
    {
        using var sample = new ResignedSgxSample();

        var result = sample.Verify(sample.Collateral(editQeIdentity: QeLevels((12, "UpToDate", []), (11, "OutOfDate", []))));

        Assert.Equal(AttestationFailureCode.QeTcbRevoked, result.Failure?.Code);
        Assert.Contains("below every QE identity TCB level", result.Failure!.Message, StringComparison.Ordinal);
        Assert.Equal(TcbStatus.Revoked, result.Claims!.TcbStatus);
        Assert.Equal("Revoked", result.Claims.Fields["qe_tcb_status"]);
    }

    [TestVectorFact]
    public void A_QE_identity_edited_after_signing_is_refused()
    {
        using var sample = new ResignedSgxSample();
        var resigned = sample.Verify(sample.Collateral(editQeIdentity: QeLevels((8, "UpToDate", []))));

        // Same edit, but signed before it was made: the check is over the exact signed bytes.
        var unsigned = sample.Verify(sample.Collateral(editQeIdentity: QeLevels((8, "UpToDate", [])), signBeforeEdits: true));

        Assert.True(resigned.Succeeded, resigned.Failure?.ToString());
        Assert.Equal(AttestationFailureCode.QeIdentitySignatureInvalid, unsigned.Failure?.Code);
    }
}
