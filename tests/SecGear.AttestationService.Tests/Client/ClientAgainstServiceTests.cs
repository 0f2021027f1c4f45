using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SecGear.AttestationService.Client;
using SecGear.AttestationService.Tests.Service;

namespace SecGear.AttestationService.Tests.Client;

/// <summary>The typed client against the real service (in process, WebApplicationFactory).</summary>
public sealed class ClientAgainstServiceTests : ServiceTestBase
{
    private AttestationServiceClient Admin() => new(Factory.CreateClient(), new AttestationServiceClientOptions { ApiKey = ServiceFactory.AdminKey });

    private AttestationServiceClient Relay() => new(Factory.CreateClient());

    private static JsonElement Json(string text)
    {
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private async Task<AttestationResponse> AttestAsync(AttestationServiceClient client, string policy, byte[] runtimeData, SecGear.Identity.EnclaveIdentity? identity = null)
    {
        var challenge = await client.ChallengeAsync(policy);
        byte[] evidence = Enclave.Evidence(ReportDataBinding.Compute(challenge.Nonce, runtimeData), identity);
        return await client.AttestAsync(new AttestationRequest(challenge.SessionId, policy, evidence, RuntimeData: runtimeData));
    }

    [Fact]
    public async Task An_attested_key_receives_the_resource_and_only_that_key_opens_it()
    {
        var admin = Admin();
        await admin.PutReferenceValuesAsync("signers", new ReferenceValueWriteRequest(SignerIds: [SimulatedEnclave.SignerIdHex]));
        await admin.PutPolicyAsync("kbs", new PolicyWriteRequest(Json("""{ "allowSimulation": true }"""), ["signers"]));
        byte[] secret = Encoding.UTF8.GetBytes("database master key");
        var info = await admin.PutResourceAsync("app", "key", "db", new ResourceWriteRequest(secret, new ResourcePolicy(["kbs"], UniqueIds: [SimulatedEnclave.UniqueIdHex])));
        using var recipient = ResourceEnvelope.CreateRecipientKey();
        using var stranger = ResourceEnvelope.CreateRecipientKey();
        var relay = Relay();

        var verdict = await AttestAsync(relay, "kbs", ResourceEnvelope.ExportRuntimeData(recipient));
        var resource = await relay.GetResourceAsync("app", "key", "db", verdict.Token!);

        Assert.Equal("app/key/db", info.Path);
        Assert.Equal(1, info.Version);
        Assert.Equal(AttestationStatus.Affirming, verdict.Status);
        Assert.Equal("kbs", verdict.PolicyId);
        Assert.Equal(secret, resource.Open(recipient));
        Assert.ThrowsAny<CryptographicException>(() => resource.Open(stranger));
    }

    [Fact]
    public async Task A_modified_enclave_gets_a_result_not_an_exception_and_is_refused_the_resource_with_a_typed_code()
    {
        var admin = Admin();
        await admin.PutPolicyAsync("pinned", new PolicyWriteRequest(Json($$"""{ "allowSimulation": true, "allowedUniqueIds": ["{{SimulatedEnclave.UniqueIdHex}}"] }""")));
        await admin.PutPolicyAsync("any", new PolicyWriteRequest(Json("""{ "allowSimulation": true }""")));
        await admin.PutResourceAsync("app", "key", "db", new ResourceWriteRequest([1, 2, 3], new ResourcePolicy(["any"], UniqueIds: [SimulatedEnclave.UniqueIdHex])));
        using var recipient = ResourceEnvelope.CreateRecipientKey();
        byte[] runtimeData = ResourceEnvelope.ExportRuntimeData(recipient);
        var relay = Relay();

        var contraindicated = await AttestAsync(relay, "pinned", runtimeData, SimulatedEnclave.Modified);
        var affirmed = await AttestAsync(relay, "any", runtimeData, SimulatedEnclave.Modified);
        var refused = await Assert.ThrowsAsync<AttestationServiceException>(() => relay.GetResourceAsync("app", "key", "db", affirmed.Token!));

        Assert.Equal(AttestationStatus.Contraindicated, contraindicated.Status);
        Assert.Equal("PolicyUniqueIdNotAllowed", contraindicated.Failure!.Code);
        Assert.Null(contraindicated.Token);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(ServiceErrorCodes.ResourcePolicyUnsatisfied, refused.Code);
        Assert.DoesNotContain(affirmed.Token!, refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_errors_of_the_service_arrive_as_their_codes()
    {
        var admin = Admin();
        var relay = Relay();
        await admin.PutPolicyAsync("p", new PolicyWriteRequest(Json("""{ "allowSimulation": true }""")));
        var challenge = await relay.ChallengeAsync("p");
        byte[] evidence = Enclave.Evidence(ReportDataBinding.Compute(challenge.Nonce, []));
        await relay.AttestAsync(new AttestationRequest(challenge.SessionId, "p", evidence));

        var replay = await Assert.ThrowsAsync<AttestationServiceException>(() => relay.AttestAsync(new AttestationRequest(challenge.SessionId, "p", evidence)));
        var unknownPolicy = await Assert.ThrowsAsync<AttestationServiceException>(() => relay.ChallengeAsync("nope"));
        var notAdmin = await Assert.ThrowsAsync<AttestationServiceException>(() => relay.ListPoliciesAsync());
        var forged = await Assert.ThrowsAsync<AttestationServiceException>(() => relay.GetResourceAsync("app", "key", "db", "eyJhbGciOiJFUzI1NiJ9.e30.AAAA"));
        var invalid = await Assert.ThrowsAsync<AttestationServiceException>(() => admin.PutPolicyAsync("bad", new PolicyWriteRequest(Json("""{ "allowSimulaton": true }"""))));
        var tooLarge = await Assert.ThrowsAsync<AttestationServiceException>(() => relay.AttestAsync(new AttestationRequest("s", "p", new byte[2 << 20])));

        Assert.Equal((HttpStatusCode.NotFound, ServiceErrorCodes.ChallengeUnknown), (replay.StatusCode, replay.Code));
        Assert.Equal(ServiceErrorCodes.PolicyUnknown, unknownPolicy.Code);
        Assert.Equal((HttpStatusCode.Unauthorized, ServiceErrorCodes.AdminAuthenticationRequired), (notAdmin.StatusCode, notAdmin.Code));
        Assert.Equal((HttpStatusCode.Unauthorized, ServiceErrorCodes.TokenInvalid), (forged.StatusCode, forged.Code));
        Assert.Equal(ServiceErrorCodes.PolicyInvalid, invalid.Code);
        Assert.Contains("allowSimulaton", invalid.Message, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, ServiceErrorCodes.PayloadTooLarge), (tooLarge.StatusCode, tooLarge.Code));
    }

    [Fact]
    public async Task Conditional_writes_detect_a_concurrent_update_and_deletes_take_effect()
    {
        var admin = Admin();
        var created = await admin.PutPolicyAsync("p", new PolicyWriteRequest(Json("""{ "allowSimulation": true }""")), expectedVersion: 0);

        var first = await admin.PutPolicyAsync("p", new PolicyWriteRequest(Json("""{ "allowSimulation": true, "allowDebug": true }""")), expectedVersion: created.Version);
        var lost = await Assert.ThrowsAsync<AttestationServiceException>(() => admin.PutPolicyAsync("p", new PolicyWriteRequest(Json("""{ "allowSimulation": false }""")), expectedVersion: created.Version));
        var duplicate = await Assert.ThrowsAsync<AttestationServiceException>(() => admin.PutPolicyAsync("p", new PolicyWriteRequest(Json("{}")), expectedVersion: 0));
        var staleDelete = await Assert.ThrowsAsync<AttestationServiceException>(() => admin.DeletePolicyAsync("p", expectedVersion: created.Version));

        Assert.Equal(1, created.Version);
        Assert.Equal(2, first.Version);
        Assert.Equal((HttpStatusCode.PreconditionFailed, ServiceErrorCodes.VersionConflict), (lost.StatusCode, lost.Code));
        Assert.Equal(ServiceErrorCodes.VersionConflict, duplicate.Code);
        Assert.Equal(ServiceErrorCodes.VersionConflict, staleDelete.Code);
        Assert.True((await admin.GetPolicyAsync("p")).Policy.GetProperty("allowDebug").GetBoolean());
        Assert.Equal(["p"], (await admin.ListPoliciesAsync()).Select(p => p.Id));

        await admin.DeletePolicyAsync("p", expectedVersion: 2);

        Assert.Empty(await admin.ListPoliciesAsync());
        Assert.Equal(ServiceErrorCodes.PolicyUnknown, (await Assert.ThrowsAsync<AttestationServiceException>(() => admin.GetPolicyAsync("p"))).Code);
    }

    [Fact]
    public async Task Reference_values_and_resources_list_get_and_delete_and_listings_never_carry_values()
    {
        var admin = Admin();
        var set = await admin.PutReferenceValuesAsync("rv", new ReferenceValueWriteRequest([SimulatedEnclave.UniqueIdHex], ProductIds: [7], MinimumSecurityVersion: 2));
        await admin.PutPolicyAsync("p", new PolicyWriteRequest(Json("""{ "allowSimulation": true }"""), ["rv"]));
        byte[] secret = Encoding.UTF8.GetBytes("listing never shows this");
        await admin.PutResourceAsync("app", "key", "db", new ResourceWriteRequest(secret, new ResourcePolicy(["p"])));

        var fetched = await admin.GetReferenceValuesAsync("rv");
        var sets = await admin.ListReferenceValuesAsync();
        var resources = await admin.ListResourcesAsync();
        await admin.DeleteResourceAsync("app", "key", "db");

        Assert.Equal(set.Version, fetched.Version);
        Assert.Equal([SimulatedEnclave.UniqueIdHex], fetched.UniqueIds);
        Assert.Equal(2, fetched.MinimumSecurityVersion);
        Assert.Equal(["rv"], sets.Select(s => s.Id));
        var listed = Assert.Single(resources);
        Assert.Equal("app/key/db", listed.Path);
        Assert.Equal(["p"], listed.Policy.PolicyIds);
        Assert.DoesNotContain(Convert.ToBase64String(secret), JsonSerializer.Serialize(resources, AttestationServiceJson.Options), StringComparison.Ordinal);
        Assert.Empty(await admin.ListResourcesAsync());
        Assert.Equal(ServiceErrorCodes.ResourceUnknown, (await Assert.ThrowsAsync<AttestationServiceException>(() => admin.DeleteResourceAsync("app", "key", "db"))).Code);
    }

    [Fact]
    public async Task An_administrator_jwt_opens_the_admin_operations_and_is_sent_on_nothing_else()
    {
        using var issuer = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string keyFile = DataDirectory + "-idp.pem";
        File.WriteAllText(keyFile, issuer.ExportSubjectPublicKeyInfoPem());
        try
        {
            var service = NewFactory(new Dictionary<string, string?>
            {
                ["AttestationService:AdminJwt:Issuer"] = "https://idp.example",
                ["AttestationService:AdminJwt:Audience"] = "secgear-attestation-service",
                ["AttestationService:AdminJwt:PublicKeyFiles:0"] = keyFile,
            });
            var now = service.Clock.GetUtcNow().UtcDateTime;
            string token = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
            {
                Issuer = "https://idp.example",
                Audience = "secgear-attestation-service",
                IssuedAt = now,
                NotBefore = now,
                Expires = now.AddMinutes(5),
                Claims = new Dictionary<string, object> { ["scope"] = "secgear.admin" },
                SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(new Microsoft.IdentityModel.Tokens.ECDsaSecurityKey(issuer), "ES256"),
            });
            var handler = new RecordingHandler { InnerHandler = service.Server.CreateHandler() };
            var admin = new AttestationServiceClient(new HttpClient(handler) { BaseAddress = new Uri("http://localhost/") }, new AttestationServiceClientOptions { AdminToken = token });

            var document = await admin.PutPolicyAsync("p", new PolicyWriteRequest(Json("""{ "allowSimulation": true }""")));
            await admin.ChallengeAsync("p");

            Assert.Equal(1, document.Version);
            Assert.Equal(token, handler.Authorizations[0]);
            Assert.Null(handler.Authorizations[1]);
        }
        finally
        {
            File.Delete(keyFile);
        }
    }

    [Fact]
    public async Task The_published_key_set_is_a_jwks()
    {
        var keys = await Relay().GetJsonWebKeySetAsync();

        Assert.NotEqual(0, keys.GetProperty("keys").GetArrayLength());
        Assert.Equal("EC", keys.GetProperty("keys")[0].GetProperty("kty").GetString());
    }

    [Fact]
    public async Task Cancellation_before_sending_is_honoured()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Relay().ChallengeAsync(cancellationToken: cancelled.Token));
    }

    /// <summary>Records the bearer token of each request it forwards.</summary>
    private sealed class RecordingHandler : DelegatingHandler
    {
        public List<string?> Authorizations { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Authorizations.Add(request.Headers.Authorization?.Parameter);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
