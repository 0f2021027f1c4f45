using System.Net.Http.Json;
using System.Text;

namespace SecGear.AttestationService.Tests.Service;

public sealed class RequestErrorTests : ServiceTestBase
{
    [Theory]
    [InlineData("{\"sessionId\": \"x\", ")]
    [InlineData("[1, 2, 3]")]
    [InlineData("{\"sessionId\": \"x\", \"policyId\": \"p\", \"evidence\": \"not base64!\"}")]
    [InlineData("{\"sessionId\": \"x\", \"policyId\": \"p\"}")]
    [InlineData("{\"sessionId\": \"x\", \"policyId\": \"p\", \"evidence\": \"AAAA\", \"unexpected\": 1}")]
    [InlineData("null")]
    public async Task Malformed_attestation_bodies_get_a_MalformedRequest_problem(string body)
    {
        using var client = Factory.CreateClient();

        using var response = await client.PostAsync(AttestationServiceRoutes.Attestation, new StringContent(body, Encoding.UTF8, "application/json"));

        await ServiceClient.AssertProblemAsync(response, 400, ServiceErrorCodes.MalformedRequest);
    }

    [Fact]
    public async Task A_body_over_the_limit_gets_a_PayloadTooLarge_problem()
    {
        var factory = NewFactory(new Dictionary<string, string?> { ["AttestationService:MaxRequestBodyBytes"] = "4096" });
        using var client = factory.CreateClient();
        var request = new AttestationRequest("session", "p", new byte[8192]);

        using var response = await client.PostAsJsonAsync(AttestationServiceRoutes.Attestation, request, ServiceClient.Json);

        await ServiceClient.AssertProblemAsync(response, 413, ServiceErrorCodes.PayloadTooLarge);
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_cut_off_while_reading()
    {
        var factory = NewFactory(new Dictionary<string, string?> { ["AttestationService:MaxRequestBodyBytes"] = "4096" });
        using var client = factory.CreateClient();
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"policyId\":\"" + new string('a', 10_000) + "\"}")));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, AttestationServiceRoutes.Challenge) { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await client.SendAsync(request);

        await ServiceClient.AssertProblemAsync(response, 413, ServiceErrorCodes.PayloadTooLarge);
    }

    [Fact]
    public async Task A_body_that_is_not_json_gets_a_problem()
    {
        using var client = Factory.CreateClient();

        using var response = await client.PostAsync(AttestationServiceRoutes.Challenge, new StringContent("policyId=x", Encoding.UTF8, "application/x-www-form-urlencoded"));

        await ServiceClient.AssertProblemAsync(response, 415, ServiceErrorCodes.MalformedRequest);
    }

    [Fact]
    public async Task Unknown_routes_and_methods_get_problems_not_empty_pages()
    {
        using var client = Factory.CreateClient();

        using var unknown = await client.GetAsync("/no/such/route");
        using var wrongMethod = await client.GetAsync(AttestationServiceRoutes.Attestation);

        await ServiceClient.AssertProblemAsync(unknown, 404, ServiceErrorCodes.RouteUnknown);
        await ServiceClient.AssertProblemAsync(wrongMethod, 405, ServiceErrorCodes.MethodNotAllowed);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key-0123456789")]
    public async Task Admin_routes_refuse_missing_or_wrong_api_keys(string? key)
    {
        using var client = Factory.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add(AttestationServiceRoutes.ApiKeyHeader, key);
        }

        using var list = await client.GetAsync(AttestationServiceRoutes.Policies);
        using var put = await client.PutAsJsonAsync($"{AttestationServiceRoutes.Resources}/repo/key/one", new ResourceWriteRequest([1], new ResourcePolicy(["p"])), ServiceClient.Json);

        await ServiceClient.AssertProblemAsync(list, 401, ServiceErrorCodes.AdminAuthenticationRequired);
        await ServiceClient.AssertProblemAsync(put, 401, ServiceErrorCodes.AdminAuthenticationRequired);
    }

    [Fact]
    public async Task Too_many_requests_from_one_client_get_RateLimited_with_Retry_After()
    {
        var factory = NewFactory(new Dictionary<string, string?>
        {
            ["AttestationService:RateLimitPerSecond"] = "1",
            ["AttestationService:RateLimitBurst"] = "3",
        });
        using var client = factory.CreateClient();

        var statuses = new List<int>();
        HttpResponseMessage? limited = null;
        for (int i = 0; i < 6 && limited is null; i++)
        {
            var response = await client.GetAsync(AttestationServiceRoutes.Jwks);
            statuses.Add((int)response.StatusCode);
            if ((int)response.StatusCode == 429)
            {
                limited = response;
            }
            else
            {
                response.Dispose();
            }
        }

        Assert.NotNull(limited);
        using (limited)
        {
            await ServiceClient.AssertProblemAsync(limited, 429, ServiceErrorCodes.RateLimited);
            Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        }

        Assert.Equal([200, 200, 200, 429], statuses);
    }

    [Fact]
    public async Task The_openapi_document_describes_every_route()
    {
        using var client = Factory.CreateClient();

        var document = await client.GetStringAsync("/openapi/v1.json");

        foreach (var route in new[] { "/challenge", "/attestation", "/policies/{id}", "/reference-values/{id}", "/resources/{repository}/{type}/{tag}", "/.well-known/jwks.json" })
        {
            Assert.Contains($"\"{route}\"", document, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_configuration_document_names_the_issuer_and_the_jwks()
    {
        using var client = Factory.CreateClient();

        using var document = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync(AttestationServiceRoutes.Configuration));

        Assert.Equal("urn:secgear:attestation-service", document.RootElement.GetProperty("issuer").GetString());
        Assert.EndsWith(AttestationServiceRoutes.Jwks, document.RootElement.GetProperty("jwks_uri").GetString(), StringComparison.Ordinal);
        Assert.Contains(document.RootElement.GetProperty("evidence_formats_supported").EnumerateArray(), f => f.GetString() == "secgear-simulation");
    }
}

/// <summary>Strict JSON as docs/attestation-service.md promises: Content-Type required, valid UTF-8, no duplicate keys.</summary>
public sealed class StrictJsonTests : ServiceTestBase
{
    [Fact]
    public async Task A_body_without_a_content_type_gets_415()
    {
        using var client = Factory.CreateClient();
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes("{\"policyId\":\"default\"}"));

        using var response = await client.PostAsync(AttestationServiceRoutes.Challenge, content);

        await ServiceClient.AssertProblemAsync(response, 415, ServiceErrorCodes.MalformedRequest);
    }

    [Fact]
    public async Task Json_with_a_duplicate_key_gets_400()
    {
        using var client = Factory.CreateClient();

        using var response = await client.PostAsync(
            AttestationServiceRoutes.Challenge, new StringContent("{\"policyId\":\"default\",\"policyId\":\"other\"}", Encoding.UTF8, "application/json"));

        await ServiceClient.AssertProblemAsync(response, 400, ServiceErrorCodes.MalformedRequest);
    }

    [Fact]
    public async Task Admin_put_of_a_policy_holding_invalid_utf8_gets_400_not_500()
    {
        using var admin = Factory.Admin();
        byte[] body = [.. "{\"policy\":{\"allowSimulation\":true,\"note\":\""u8, 0xC3, 0x28, 0xFF, .. "\"}}"u8];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");

        using var response = await admin.PutAsync(AttestationServiceRoutes.Policies + "/bad-utf8", content);

        await ServiceClient.AssertProblemAsync(response, 400, ServiceErrorCodes.MalformedRequest);
    }
}
