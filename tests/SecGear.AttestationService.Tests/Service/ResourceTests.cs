using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace SecGear.AttestationService.Tests.Service;

public sealed class ResourceTests : ServiceTestBase
{
    private const string ResourcePath = "/resources/kbs/key/db";
    private static readonly byte[] Secret = "the database key, 32 bytes long!"u8.ToArray();

    private async Task<HttpClient> SetUpAsync(ResourcePolicy? policy = null)
    {
        var admin = Factory.Admin();
        await ServiceClient.PutPolicyAsync(admin, "sim", """{"allowSimulation":true}""");
        await ServiceClient.PutPolicyAsync(admin, "other", """{"allowSimulation":true}""");
        using var put = await admin.PutAsJsonAsync(ResourcePath, new ResourceWriteRequest(Secret, policy ?? new ResourcePolicy(["sim"], [SimulatedEnclave.UniqueIdHex])), ServiceClient.Json);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        return admin;
    }

    /// <summary>The enclave's runtime key: resources are sealed to it.</summary>
    private readonly ECDiffieHellman _key;

    public ResourceTests()
    {
        _key = Own(ResourceEnvelope.CreateRecipientKey());
    }

    private Task<AttestationResponse> AttestAsync(HttpClient client, string policyId = "sim", SecGear.Identity.EnclaveIdentity? identity = null) =>
        ServiceClient.AttestAsync(client, Enclave, policyId, ResourceEnvelope.ExportRuntimeData(_key), identity);

    private static async Task<HttpResponseMessage> GetResourceAsync(HttpClient client, string? token, string path = ResourcePath)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await client.SendAsync(request);
    }

    [Fact]
    public async Task An_attested_enclave_receives_the_secret_sealed_to_its_runtime_key()
    {
        using var admin = await SetUpAsync();
        using var client = Factory.CreateClient();
        var attested = await AttestAsync(client);

        using var response = await GetResourceAsync(client, attested.Token);
        var body = await response.Content.ReadFromJsonAsync<ResourceResponse>(ServiceClient.Json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("kbs/key/db", body!.Path);
        Assert.Equal(Secret, ResourceEnvelope.Open(_key, body.Envelope, "kbs/key/db"));
        using var otherKey = ResourceEnvelope.CreateRecipientKey();
        Assert.ThrowsAny<CryptographicException>(() => ResourceEnvelope.Open(otherKey, body.Envelope, "kbs/key/db"));
    }

    [Fact]
    public async Task The_secret_is_never_stored_or_listed_in_plaintext()
    {
        using var admin = await SetUpAsync();

        var listed = await admin.GetStringAsync("/resources");
        var database = File.ReadAllBytes(Path.Combine(DataDirectory, "attestation.db"));
        var wal = Path.Combine(DataDirectory, "attestation.db-wal");
        var log = File.Exists(wal) ? File.ReadAllBytes(wal) : [];

        Assert.Contains("kbs/key/db", listed, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Secret), listed, StringComparison.Ordinal);
        Assert.True(database.AsSpan().IndexOf("kbs/key/db"u8) >= 0 || log.AsSpan().IndexOf("kbs/key/db"u8) >= 0, "the resource row is in neither file");
        Assert.Equal(-1, database.AsSpan().IndexOf(Secret));
        Assert.Equal(-1, log.AsSpan().IndexOf(Secret));
    }

    [Fact]
    public async Task A_request_without_a_token_is_TokenInvalid()
    {
        using var admin = await SetUpAsync();
        using var client = Factory.CreateClient();

        using var response = await GetResourceAsync(client, null);

        await ServiceClient.AssertProblemAsync(response, 401, ServiceErrorCodes.TokenInvalid);
    }

    [Fact]
    public async Task An_expired_token_is_TokenExpired()
    {
        using var admin = await SetUpAsync();
        using var client = Factory.CreateClient();
        var attested = await AttestAsync(client);

        Factory.Clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        using var response = await GetResourceAsync(client, attested.Token);

        await ServiceClient.AssertProblemAsync(response, 401, ServiceErrorCodes.TokenExpired);
    }

    [Fact]
    public async Task A_token_signed_by_another_key_is_TokenInvalid()
    {
        using var admin = await SetUpAsync();
        using var client = Factory.CreateClient();
        var attested = await AttestAsync(client);
        var genuine = new JsonWebToken(attested.Token);
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string forged = new JsonWebTokenHandler().CreateToken(
            System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(genuine.EncodedPayload)),
            new SigningCredentials(new ECDsaSecurityKey(forger) { KeyId = genuine.Kid }, SecurityAlgorithms.EcdsaSha256));

        using var response = await GetResourceAsync(client, forged);

        await ServiceClient.AssertProblemAsync(response, 401, ServiceErrorCodes.TokenInvalid);
    }

    [Fact]
    public async Task A_token_whose_payload_was_edited_is_TokenInvalid()
    {
        using var admin = await SetUpAsync(new ResourcePolicy(["other"]));
        using var client = Factory.CreateClient();
        var attested = await AttestAsync(client);
        var parts = attested.Token!.Split('.');
        var payload = System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]));
        parts[1] = System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(payload.Replace("\"sim\"", "\"other\"", StringComparison.Ordinal)));

        using var response = await GetResourceAsync(client, string.Join('.', parts));

        await ServiceClient.AssertProblemAsync(response, 401, ServiceErrorCodes.TokenInvalid);
    }

    [Fact]
    public async Task A_token_from_another_policy_does_not_satisfy_the_resource()
    {
        using var admin = await SetUpAsync();
        using var client = Factory.CreateClient();
        var attested = await AttestAsync(client, "other");

        using var response = await GetResourceAsync(client, attested.Token);

        await ServiceClient.AssertProblemAsync(response, 403, ServiceErrorCodes.ResourcePolicyUnsatisfied);
    }

    [Fact]
    public async Task A_modified_enclave_does_not_satisfy_a_resource_pinned_to_the_measurement()
    {
        using var admin = await SetUpAsync();
        using var client = Factory.CreateClient();
        var attested = await AttestAsync(client, identity: SimulatedEnclave.Modified);

        using var response = await GetResourceAsync(client, attested.Token);

        Assert.Equal(AttestationStatus.Affirming, attested.Status);
        await ServiceClient.AssertProblemAsync(response, 403, ServiceErrorCodes.ResourcePolicyUnsatisfied);
    }

    [Fact]
    public async Task A_token_without_a_runtime_key_gets_RuntimeKeyMissing()
    {
        using var admin = await SetUpAsync();
        using var client = Factory.CreateClient();
        var attested = await ServiceClient.AttestAsync(client, Enclave, "sim");

        using var response = await GetResourceAsync(client, attested.Token);

        await ServiceClient.AssertProblemAsync(response, 400, ServiceErrorCodes.RuntimeKeyMissing);
    }

    [Fact]
    public async Task An_unknown_resource_is_ResourceUnknown()
    {
        using var admin = await SetUpAsync();
        using var client = Factory.CreateClient();
        var attested = await AttestAsync(client);

        using var response = await GetResourceAsync(client, attested.Token, "/resources/kbs/key/missing");

        await ServiceClient.AssertProblemAsync(response, 404, ServiceErrorCodes.ResourceUnknown);
    }

    [Fact]
    public async Task A_resource_policy_without_policy_ids_is_refused()
    {
        using var admin = Factory.Admin();

        using var response = await admin.PutAsJsonAsync(ResourcePath, new ResourceWriteRequest(Secret, new ResourcePolicy([])), ServiceClient.Json);

        await ServiceClient.AssertProblemAsync(response, 400, ServiceErrorCodes.PolicyInvalid);
    }

    [Fact]
    public async Task Releases_and_refusals_are_audited()
    {
        using var admin = await SetUpAsync();
        using var client = Factory.CreateClient();
        var attested = await AttestAsync(client);
        using (await GetResourceAsync(client, attested.Token)) { }
        using (await GetResourceAsync(client, "not-a-token")) { }

        var store = (Storage.IAttestationStore)Factory.Services.GetService(typeof(Storage.IAttestationStore))!;
        var audit = await store.ReadAuditAsync(2);

        Assert.Equal(["refused", "released"], audit.Select(a => a.Verdict));
        Assert.Equal(ServiceErrorCodes.TokenInvalid, audit[0].FailureCode);
        Assert.Equal("sim", audit[1].PolicyId);
    }

    [Fact]
    public async Task A_value_over_64_KiB_is_refused_and_nothing_is_stored()
    {
        using var admin = Factory.Admin();

        using var response = await admin.PutAsJsonAsync(
            ResourcePath, new ResourceWriteRequest(new byte[ResourceEnvelope.MaxSecretLength + 1], new ResourcePolicy(["sim"])), ServiceClient.Json);
        var listed = await admin.GetFromJsonAsync<ResourceInfo[]>("/resources", ServiceClient.Json);

        await ServiceClient.AssertProblemAsync(response, 400, ServiceErrorCodes.MalformedRequest);
        Assert.Empty(listed!);
    }

    [Fact]
    public async Task A_path_segment_outside_the_alphabet_is_MalformedRequest()
    {
        using var admin = await SetUpAsync();
        using var client = Factory.CreateClient();
        var attested = await AttestAsync(client);

        using var response = await GetResourceAsync(client, attested.Token, "/resources/kbs/key/a%20b");

        await ServiceClient.AssertProblemAsync(response, 400, ServiceErrorCodes.MalformedRequest);
    }
}
