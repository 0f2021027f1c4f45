using System.Net.Http.Json;
using System.Text.Json;

namespace SecGear.AttestationService.Tests.Service;

/// <summary>The calls the tests make, with the contract's JSON conventions.</summary>
public static class ServiceClient
{
    public static JsonSerializerOptions Json => AttestationServiceJson.Options;

    public static async Task<ChallengeResponse> ChallengeAsync(HttpClient client, string? policyId = null)
    {
        using var response = await client.PostAsJsonAsync(AttestationServiceRoutes.Challenge, new ChallengeRequest(policyId), Json);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ChallengeResponse>(Json))!;
    }

    public static Task<HttpResponseMessage> PostAttestationAsync(HttpClient client, AttestationRequest request) =>
        client.PostAsJsonAsync(AttestationServiceRoutes.Attestation, request, Json);

    public static async Task<AttestationResponse> AttestAsync(HttpClient client, AttestationRequest request)
    {
        using var response = await PostAttestationAsync(client, request);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<AttestationResponse>(Json))!;
    }

    /// <summary>Challenge, evidence bound to nonce and runtime data, attestation.</summary>
    public static async Task<AttestationResponse> AttestAsync(
        HttpClient client, SimulatedEnclave enclave, string policyId, byte[]? runtimeData = null, SecGear.Identity.EnclaveIdentity? identity = null)
    {
        var challenge = await ChallengeAsync(client);
        var evidence = enclave.Evidence(ReportDataBinding.Compute(challenge.Nonce, runtimeData ?? []), identity);
        return await AttestAsync(client, new AttestationRequest(challenge.SessionId, policyId, evidence, null, runtimeData));
    }

    public static async Task PutPolicyAsync(HttpClient admin, string id, string policyJson, params string[] referenceValues)
    {
        using var policy = JsonDocument.Parse(policyJson);
        using var response = await admin.PutAsJsonAsync($"{AttestationServiceRoutes.Policies}/{id}", new PolicyWriteRequest(policy.RootElement.Clone(), referenceValues), Json);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Asserts a problem+json with the status and code.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, int status, string code)
    {
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        Assert.Equal(code, document.RootElement.GetProperty(ServiceErrorCodes.ProblemCodeMember).GetString());
        return document.RootElement.Clone();
    }
}
