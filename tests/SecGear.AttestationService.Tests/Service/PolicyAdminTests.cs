using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace SecGear.AttestationService.Tests.Service;

public sealed class PolicyAdminTests : ServiceTestBase
{
    private static PolicyWriteRequest Policy(string json, params string[] referenceValues)
    {
        using var document = JsonDocument.Parse(json);
        return new PolicyWriteRequest(document.RootElement.Clone(), referenceValues);
    }

    private static HttpRequestMessage Put(string path, object body, string? ifMatch = null, bool createOnly = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(body, options: ServiceClient.Json) };
        if (ifMatch is not null)
        {
            request.Headers.IfMatch.Add(new EntityTagHeaderValue($"\"{ifMatch}\""));
        }

        if (createOnly)
        {
            request.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Any);
        }

        return request;
    }

    [Fact]
    public async Task Policies_are_versioned_listed_read_and_deleted()
    {
        using var admin = Factory.Admin();

        using var created = await admin.SendAsync(Put("/policies/p1", Policy("""{"allowSimulation":true}""")));
        using var updated = await admin.SendAsync(Put("/policies/p1", Policy("""{"allowSimulation":true,"allowDebug":true}""")));
        var list = await admin.GetFromJsonAsync<PolicyDocument[]>("/policies", ServiceClient.Json);
        using var read = await admin.GetAsync("/policies/p1");
        var document = await read.Content.ReadFromJsonAsync<PolicyDocument>(ServiceClient.Json);
        using var deleted = await admin.DeleteAsync("/policies/p1");
        using var gone = await admin.GetAsync("/policies/p1");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("\"1\"", created.Headers.ETag?.Tag);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        Assert.Equal("\"2\"", updated.Headers.ETag?.Tag);
        Assert.Equal("p1", Assert.Single(list!).Id);
        Assert.Equal(2, document!.Version);
        Assert.True(document.Policy.GetProperty("allowDebug").GetBoolean());
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await ServiceClient.AssertProblemAsync(gone, 404, ServiceErrorCodes.PolicyUnknown);
    }

    [Fact]
    public async Task If_Match_with_a_stale_version_is_a_VersionConflict_and_changes_nothing()
    {
        using var admin = Factory.Admin();
        using (await admin.SendAsync(Put("/policies/p", Policy("{}")))) { }
        using (await admin.SendAsync(Put("/policies/p", Policy("""{"allowDebug":true}""")))) { }

        using var stale = await admin.SendAsync(Put("/policies/p", Policy("""{"allowSimulation":true}"""), ifMatch: "1"));
        using var current = await admin.SendAsync(Put("/policies/p", Policy("""{"allowSimulation":true}"""), ifMatch: "2"));
        using var deleteStale = await admin.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/policies/p") { Headers = { IfMatch = { new EntityTagHeaderValue("\"2\"") } } });

        await ServiceClient.AssertProblemAsync(stale, 412, ServiceErrorCodes.VersionConflict);
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
        Assert.Equal("\"3\"", current.Headers.ETag?.Tag);
        await ServiceClient.AssertProblemAsync(deleteStale, 412, ServiceErrorCodes.VersionConflict);
    }

    [Fact]
    public async Task If_None_Match_star_creates_only()
    {
        using var admin = Factory.Admin();

        using var first = await admin.SendAsync(Put("/policies/p", Policy("{}"), createOnly: true));
        using var second = await admin.SendAsync(Put("/policies/p", Policy("""{"allowDebug":true}"""), createOnly: true));
        var stored = await admin.GetFromJsonAsync<PolicyDocument>("/policies/p", ServiceClient.Json);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        await ServiceClient.AssertProblemAsync(second, 412, ServiceErrorCodes.VersionConflict);
        Assert.Equal(1, stored!.Version);
        Assert.False(stored.Policy.TryGetProperty("allowDebug", out _));
    }

    [Fact]
    public async Task Of_concurrent_If_Match_writers_exactly_one_wins()
    {
        using var admin = Factory.Admin();
        using (await admin.SendAsync(Put("/policies/race", Policy("{}")))) { }
        const int Writers = 12;

        var responses = await Task.WhenAll(Enumerable.Range(0, Writers).Select(async i =>
        {
            using var client = Factory.Admin();
            using var response = await client.SendAsync(Put("/policies/race", Policy($$"""{"minimumSecurityVersion":{{i}}}"""), ifMatch: "1"));
            return (int)response.StatusCode;
        }));
        var stored = await admin.GetFromJsonAsync<PolicyDocument>("/policies/race", ServiceClient.Json);

        Assert.Equal(1, responses.Count(s => s == 200));
        Assert.Equal(Writers - 1, responses.Count(s => s == 412));
        Assert.Equal(2, stored!.Version);
    }

    [Theory]
    [InlineData("""{"allowSimulation":"yes"}""")]
    [InlineData("""{"noSuchField":1}""")]
    [InlineData("""{"allowedUniqueIds":["zz"]}""")]
    [InlineData("""[]""")]
    public async Task A_policy_that_does_not_parse_is_PolicyInvalid(string json)
    {
        using var admin = Factory.Admin();

        using var response = await admin.SendAsync(Put("/policies/bad", Policy(json)));
        using var absent = await admin.GetAsync("/policies/bad");

        await ServiceClient.AssertProblemAsync(response, 400, ServiceErrorCodes.PolicyInvalid);
        await ServiceClient.AssertProblemAsync(absent, 404, ServiceErrorCodes.PolicyUnknown);
    }

    [Fact]
    public async Task A_policy_naming_a_missing_reference_value_set_is_PolicyInvalid()
    {
        using var admin = Factory.Admin();

        using var response = await admin.SendAsync(Put("/policies/p", Policy("{}", "missing-set")));

        var problem = await ServiceClient.AssertProblemAsync(response, 400, ServiceErrorCodes.PolicyInvalid);
        Assert.Contains("missing-set", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abcd")]
    [InlineData("not hex at all, not hex at all, not hex at all, not hex at all!!")]
    public async Task Reference_values_must_be_hex_ids_of_the_right_length(string id)
    {
        using var admin = Factory.Admin();

        using var response = await admin.SendAsync(Put("/reference-values/r", new ReferenceValueWriteRequest([id])));

        await ServiceClient.AssertProblemAsync(response, 400, ServiceErrorCodes.PolicyInvalid);
    }

    [Fact]
    public async Task Reference_values_are_stored_in_lower_case_and_cannot_be_deleted_while_used()
    {
        using var admin = Factory.Admin();
        string upper = SimulatedEnclave.UniqueIdHex.ToUpperInvariant();
        using (var created = await admin.SendAsync(Put("/reference-values/r", new ReferenceValueWriteRequest([upper], null, [7], 2))))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        using (await admin.SendAsync(Put("/policies/p", Policy("{}", "r")))) { }
        var set = await admin.GetFromJsonAsync<ReferenceValueSet>("/reference-values/r", ServiceClient.Json);
        using var refused = await admin.DeleteAsync("/reference-values/r");
        using (await admin.DeleteAsync("/policies/p")) { }
        using var allowed = await admin.DeleteAsync("/reference-values/r");

        Assert.Equal(SimulatedEnclave.UniqueIdHex, Assert.Single(set!.UniqueIds));
        Assert.Equal(2, set.MinimumSecurityVersion);
        await ServiceClient.AssertProblemAsync(refused, 400, ServiceErrorCodes.PolicyInvalid);
        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public async Task Ids_outside_the_segment_alphabet_are_refused(string id)
    {
        using var admin = Factory.Admin();

        using var response = await admin.SendAsync(Put($"/policies/{Uri.EscapeDataString(id)}", Policy("{}")));

        await ServiceClient.AssertProblemAsync(response, 400, ServiceErrorCodes.MalformedRequest);
    }
}

/// <summary>Admin authentication failures and admin writes leave audit records, with no key, token or body in them.</summary>
public sealed class AdminAuditTests : ServiceTestBase
{
    [Fact]
    public async Task Refused_admin_caller_and_admin_writes_are_audited_without_secrets()
    {
        const string wrongKey = "wrong-admin-key-0123456789abcdef";
        using var stranger = Factory.CreateClient();
        stranger.DefaultRequestHeaders.Add(AttestationServiceRoutes.ApiKeyHeader, wrongKey);
        using var refused = await stranger.PutAsync(AttestationServiceRoutes.Policies + "/audited", Json("{\"policy\":{\"allowSimulation\":true}}"));
        using var admin = Factory.Admin();
        using var written = await admin.PutAsync(AttestationServiceRoutes.Policies + "/audited", Json("{\"policy\":{\"allowSimulation\":true}}"));
        using var stale = new HttpRequestMessage(HttpMethod.Put, AttestationServiceRoutes.Policies + "/audited") { Content = Json("{\"policy\":{\"allowSimulation\":false}}") };
        stale.Headers.TryAddWithoutValidation("If-Match", "\"7\"");
        using var conflict = await admin.SendAsync(stale);
        using var deleted = await admin.DeleteAsync(AttestationServiceRoutes.Policies + "/audited");

        var store = (Storage.IAttestationStore)Factory.Services.GetService(typeof(Storage.IAttestationStore))!;
        var audit = (await store.ReadAuditAsync(10)).Reverse().ToList(); // newest first as read; oldest first here

        Assert.Equal(401, (int)refused.StatusCode);
        Assert.Equal(412, (int)conflict.StatusCode);
        Assert.Equal(
            [("refused", ServiceErrorCodes.AdminAuthenticationRequired), ("written", null), ("refused", ServiceErrorCodes.VersionConflict), ("deleted", null)],
            audit.Select(r => (r.Verdict, r.FailureCode)));
        Assert.Equal(["PUT /policies/audited", "PUT /policies/audited", "PUT /policies/audited", "DELETE /policies/audited"], audit.Select(r => r.Endpoint));
        Assert.All(audit, r => Assert.Equal("audited", r.PolicyId));
        Assert.Equal(1, audit[1].PolicyVersion);
        Assert.All(audit, r => Assert.DoesNotContain(wrongKey, r.ToString(), StringComparison.Ordinal));
    }

    private static StringContent Json(string body) => new(body, System.Text.Encoding.UTF8, "application/json");
}
