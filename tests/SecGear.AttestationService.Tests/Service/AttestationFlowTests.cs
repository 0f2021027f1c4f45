using System.Buffers.Text;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace SecGear.AttestationService.Tests.Service;

public sealed class AttestationFlowTests : ServiceTestBase
{
    private const string SimulationPolicy = """{"allowSimulation":true}""";

    /// <summary>Stores the policy "sim" (simulation allowed), takes a challenge and produces evidence bound to it.</summary>
    private async Task<(HttpClient Client, ChallengeResponse Challenge, byte[] Evidence)> PrepareAsync()
    {
        using (var admin = Factory.Admin())
        {
            await ServiceClient.PutPolicyAsync(admin, "sim", SimulationPolicy);
        }

        var client = Factory.CreateClient();
        var challenge = await ServiceClient.ChallengeAsync(client);
        return (client, challenge, Enclave.Evidence(ReportDataBinding.Compute(challenge.Nonce, [])));
    }

    [Fact]
    public async Task Affirming_attestation_returns_an_EAR_token_that_verifies_with_the_published_keys()
    {
        using var admin = Factory.Admin();
        await ServiceClient.PutPolicyAsync(admin, "sim", SimulationPolicy);
        using var client = Factory.CreateClient();
        byte[] runtimeKey = ResourceEnvelope.ExportRuntimeData(ResourceEnvelope.CreateRecipientKey());

        var challenge = await ServiceClient.ChallengeAsync(client);
        var evidence = Enclave.Evidence(ReportDataBinding.Compute(challenge.Nonce, runtimeKey));
        var result = await ServiceClient.AttestAsync(client, new AttestationRequest(challenge.SessionId, "sim", evidence, null, runtimeKey));

        Assert.Equal(AttestationStatus.Affirming, result.Status);
        Assert.Null(result.Failure);
        Assert.Equal("sim", result.PolicyId);
        Assert.Equal(1, result.PolicyVersion);
        Assert.Equal(SimulatedEnclave.UniqueIdHex, result.Claims!.Value.GetProperty("unique_id").GetString());
        Assert.Equal(Factory.Clock.GetUtcNow().AddMinutes(5).ToUnixTimeSeconds(), result.ExpiresAt!.Value.ToUnixTimeSeconds());

        var jwks = new JsonWebKeySet(await client.GetStringAsync(AttestationServiceRoutes.Jwks));
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(result.Token, new TokenValidationParameters
        {
            ValidIssuer = "urn:secgear:attestation-service",
            ValidateAudience = false,
            ValidateLifetime = false,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256],
        });
        Assert.True(validation.IsValid, validation.Exception?.Message);

        var token = (JsonWebToken)validation.SecurityToken;
        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(token.EncodedPayload));
        var root = payload.RootElement;
        Assert.Equal(AttestationTokenClaims.ProfileValue, root.GetProperty(AttestationTokenClaims.Profile).GetString());
        Assert.Equal(Base64Url.EncodeToString(challenge.Nonce), root.GetProperty(AttestationTokenClaims.Nonce).GetString());
        Assert.Equal("SecGear.NET", root.GetProperty(AttestationTokenClaims.VerifierId).GetProperty("developer").GetString());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("jti").GetString()));
        var enclave = root.GetProperty(AttestationTokenClaims.Submods).GetProperty(AttestationTokenClaims.SubmodName);
        Assert.Equal(AttestationStatus.Affirming, enclave.GetProperty(AttestationTokenClaims.Status).GetString());
        Assert.Equal("sim", enclave.GetProperty(AttestationTokenClaims.PolicyId).GetString());
        Assert.Equal(1, enclave.GetProperty(AttestationTokenClaims.PolicyVersion).GetInt64());
        Assert.Equal(Base64Url.EncodeToString(runtimeKey), enclave.GetProperty(AttestationTokenClaims.RuntimeKey).GetString());
        Assert.Equal(SimulatedEnclave.SignerIdHex, enclave.GetProperty(AttestationTokenClaims.Claims).GetProperty("signer_id").GetString());
    }

    [Fact]
    public async Task Every_token_has_its_own_jti()
    {
        using var admin = Factory.Admin();
        await ServiceClient.PutPolicyAsync(admin, "sim", SimulationPolicy);
        using var client = Factory.CreateClient();

        var first = await ServiceClient.AttestAsync(client, Enclave, "sim");
        var second = await ServiceClient.AttestAsync(client, Enclave, "sim");

        Assert.NotEqual(new JsonWebToken(first.Token).Id, new JsonWebToken(second.Token).Id);
    }

    [Fact]
    public async Task A_replayed_session_is_refused_as_ChallengeUnknown()
    {
        using var admin = Factory.Admin();
        await ServiceClient.PutPolicyAsync(admin, "sim", SimulationPolicy);
        using var client = Factory.CreateClient();
        var challenge = await ServiceClient.ChallengeAsync(client);
        var request = new AttestationRequest(challenge.SessionId, "sim", Enclave.Evidence(ReportDataBinding.Compute(challenge.Nonce, [])));

        Assert.Equal(AttestationStatus.Affirming, (await ServiceClient.AttestAsync(client, request)).Status);
        using var replay = await ServiceClient.PostAttestationAsync(client, request);

        await ServiceClient.AssertProblemAsync(replay, 404, ServiceErrorCodes.ChallengeUnknown);
    }

    [Fact]
    public async Task A_contraindicated_verdict_also_consumes_the_challenge()
    {
        using var admin = Factory.Admin();
        await ServiceClient.PutPolicyAsync(admin, "strict", """{"allowSimulation":false}""");
        using var client = Factory.CreateClient();
        var challenge = await ServiceClient.ChallengeAsync(client);
        var request = new AttestationRequest(challenge.SessionId, "strict", Enclave.Evidence(ReportDataBinding.Compute(challenge.Nonce, [])));

        var verdict = await ServiceClient.AttestAsync(client, request);
        using var again = await ServiceClient.PostAttestationAsync(client, request);

        Assert.Equal(AttestationStatus.Contraindicated, verdict.Status);
        Assert.Equal("PolicySimulationNotAllowed", verdict.Failure!.Code);
        Assert.Null(verdict.Token);
        await ServiceClient.AssertProblemAsync(again, 404, ServiceErrorCodes.ChallengeUnknown);
    }

    [Fact]
    public async Task An_expired_challenge_is_refused_as_ChallengeExpired()
    {
        var (client, challenge, evidence) = await PrepareAsync();
        using var owned = client;

        Factory.Clock.Advance(TimeSpan.FromMinutes(2) + TimeSpan.FromSeconds(1));
        using var response = await ServiceClient.PostAttestationAsync(client, new AttestationRequest(challenge.SessionId, "sim", evidence));

        await ServiceClient.AssertProblemAsync(response, 410, ServiceErrorCodes.ChallengeExpired);
    }

    [Fact]
    public async Task Evidence_for_an_unknown_policy_is_refused_as_PolicyUnknown()
    {
        using var client = Factory.CreateClient();
        var challenge = await ServiceClient.ChallengeAsync(client);
        var evidence = Enclave.Evidence(ReportDataBinding.Compute(challenge.Nonce, []));

        using var response = await ServiceClient.PostAttestationAsync(client, new AttestationRequest(challenge.SessionId, "no-such-policy", evidence));

        await ServiceClient.AssertProblemAsync(response, 404, ServiceErrorCodes.PolicyUnknown);
    }

    [Fact]
    public async Task A_challenge_for_an_unknown_policy_is_refused()
    {
        using var client = Factory.CreateClient();

        using var response = await client.PostAsJsonAsync(AttestationServiceRoutes.Challenge, new ChallengeRequest("missing"), ServiceClient.Json);

        await ServiceClient.AssertProblemAsync(response, 404, ServiceErrorCodes.PolicyUnknown);
    }

    [Fact]
    public async Task A_challenge_issued_for_one_policy_cannot_be_used_with_another()
    {
        using var admin = Factory.Admin();
        await ServiceClient.PutPolicyAsync(admin, "a", SimulationPolicy);
        await ServiceClient.PutPolicyAsync(admin, "b", SimulationPolicy);
        using var client = Factory.CreateClient();
        var challenge = await ServiceClient.ChallengeAsync(client, "a");
        var evidence = Enclave.Evidence(ReportDataBinding.Compute(challenge.Nonce, []));

        using var response = await ServiceClient.PostAttestationAsync(client, new AttestationRequest(challenge.SessionId, "b", evidence));

        await ServiceClient.AssertProblemAsync(response, 409, ServiceErrorCodes.ChallengePolicyMismatch);
    }

    [Fact]
    public async Task Tampered_evidence_is_contraindicated_with_the_signature_check_named()
    {
        var (client, challenge, evidence) = await PrepareAsync();
        using var owned = client;
        evidence[100] ^= 0x01; // inside the signed body (the measurement): the signature no longer matches

        var result = await ServiceClient.AttestAsync(client, new AttestationRequest(challenge.SessionId, "sim", evidence));

        Assert.Equal(AttestationStatus.Contraindicated, result.Status);
        Assert.Equal("EvidenceSignatureInvalid", result.Failure!.Code);
        Assert.Null(result.Token);
    }

    [Fact]
    public async Task Evidence_bound_to_other_runtime_data_is_a_report_data_mismatch()
    {
        using var admin = Factory.Admin();
        await ServiceClient.PutPolicyAsync(admin, "sim", SimulationPolicy);
        using var client = Factory.CreateClient();
        var challenge = await ServiceClient.ChallengeAsync(client);
        var evidence = Enclave.Evidence(ReportDataBinding.Compute(challenge.Nonce, "key A"u8));

        var result = await ServiceClient.AttestAsync(client, new AttestationRequest(challenge.SessionId, "sim", evidence, null, "key B"u8.ToArray()));

        Assert.Equal(AttestationStatus.Contraindicated, result.Status);
        Assert.Equal("PolicyReportDataMismatch", result.Failure!.Code);
        Assert.NotNull(result.Claims);
    }

    [Fact]
    public async Task Reference_values_merged_into_the_policy_refuse_another_measurement()
    {
        using var admin = Factory.Admin();
        using (var put = await admin.PutAsJsonAsync(
            $"{AttestationServiceRoutes.ReferenceValues}/release-1", new ReferenceValueWriteRequest([SimulatedEnclave.UniqueIdHex]), ServiceClient.Json))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        await ServiceClient.PutPolicyAsync(admin, "sim", SimulationPolicy, "release-1");
        using var client = Factory.CreateClient();

        var good = await ServiceClient.AttestAsync(client, Enclave, "sim");
        var modified = await ServiceClient.AttestAsync(client, Enclave, "sim", identity: SimulatedEnclave.Modified);

        Assert.Equal(AttestationStatus.Affirming, good.Status);
        Assert.Equal(AttestationStatus.Contraindicated, modified.Status);
        Assert.Equal("PolicyUniqueIdNotAllowed", modified.Failure!.Code);
    }

    [Fact]
    public async Task Every_decision_is_audited_without_tokens_or_nonces()
    {
        using var admin = Factory.Admin();
        await ServiceClient.PutPolicyAsync(admin, "sim", SimulationPolicy);
        using var client = Factory.CreateClient();
        var result = await ServiceClient.AttestAsync(client, Enclave, "sim");

        var store = (Storage.IAttestationStore)Factory.Services.GetService(typeof(Storage.IAttestationStore))!;
        var audit = await store.ReadAuditAsync(10);

        var record = Assert.Single(audit, r => r.Endpoint == AttestationServiceRoutes.Attestation);
        Assert.Equal("affirming", record.Verdict);
        Assert.Equal("sim", record.PolicyId);
        Assert.Equal(1, record.PolicyVersion);
        Assert.Equal(64, record.EvidenceSha256!.Length);
        var dump = File.ReadAllBytes(Path.Combine(DataDirectory, "attestation.db"))
            .Concat(File.Exists(Path.Combine(DataDirectory, "attestation.db-wal")) ? File.ReadAllBytes(Path.Combine(DataDirectory, "attestation.db-wal")) : [])
            .ToArray();
        Assert.NotEqual(-1, dump.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(record.EvidenceSha256)));
        Assert.Equal(-1, dump.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(result.Token!)));
        Assert.Equal(-1, dump.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(result.Token!.Split('.')[2])));
    }

    [Fact]
    public async Task Collateral_sent_with_evidence_that_takes_none_is_contraindicated_as_CollateralMalformed()
    {
        var (client, challenge, evidence) = await PrepareAsync();
        using var owned = client;

        var result = await ServiceClient.AttestAsync(client, new AttestationRequest(challenge.SessionId, "sim", evidence, ["{}"u8.ToArray()]));

        Assert.Equal(AttestationStatus.Contraindicated, result.Status);
        Assert.Equal("CollateralMalformed", result.Failure!.Code);
    }

    [Fact]
    public async Task Bytes_that_are_no_known_evidence_format_are_contraindicated()
    {
        using var admin = Factory.Admin();
        await ServiceClient.PutPolicyAsync(admin, "sim", SimulationPolicy);
        using var client = Factory.CreateClient();
        var challenge = await ServiceClient.ChallengeAsync(client);

        var result = await ServiceClient.AttestAsync(client, new AttestationRequest(challenge.SessionId, "sim", "not evidence"u8.ToArray()));

        Assert.Equal(AttestationStatus.Contraindicated, result.Status);
        Assert.Equal("UnsupportedEvidenceFormat", result.Failure!.Code);
        Assert.Null(result.Claims);
    }

    [Fact]
    public async Task The_highest_minimum_security_version_of_policy_and_reference_values_applies()
    {
        using var admin = Factory.Admin();
        using (var put = await admin.PutAsJsonAsync(
            $"{AttestationServiceRoutes.ReferenceValues}/svn-floor", new ReferenceValueWriteRequest(null, [SimulatedEnclave.SignerIdHex], null, 3), ServiceClient.Json))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        await ServiceClient.PutPolicyAsync(admin, "lenient", """{"allowSimulation":true,"minimumSecurityVersion":1}""", "svn-floor");
        using var client = Factory.CreateClient();

        var result = await ServiceClient.AttestAsync(client, Enclave, "lenient");

        Assert.Equal(AttestationStatus.Contraindicated, result.Status);
        Assert.Equal("PolicySecurityVersionTooLow", result.Failure!.Code);
    }
}
