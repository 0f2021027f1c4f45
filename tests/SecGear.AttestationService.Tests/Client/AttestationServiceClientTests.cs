using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SecGear.AttestationService.Client;

namespace SecGear.AttestationService.Tests.Client;

public sealed class AttestationServiceClientTests
{
    private const string ApiKey = "admin-key-0123456789abcdef";

    private static (AttestationServiceClient Client, StubHandler Handler) Create(Func<HttpRequestMessage, string?, HttpResponseMessage> respond, AttestationServiceClientOptions? options = null)
    {
        var handler = new StubHandler(respond);
        var http = new HttpClient(handler) { BaseAddress = new Uri("http://127.0.0.1:5080/") };
        return (new AttestationServiceClient(http, options ?? new AttestationServiceClientOptions { ApiKey = ApiKey }), handler);
    }

    private static string Json(object value) => JsonSerializer.Serialize(value, AttestationServiceJson.Options);

    [Fact]
    public async Task Challenge_posts_the_policy_id_and_returns_the_nonce()
    {
        byte[] nonce = RandomNumberGenerator.GetBytes(32);
        var (client, handler) = Create((_, _) => StubHandler.Json(HttpStatusCode.OK, Json(new ChallengeResponse("s1", nonce, DateTimeOffset.UnixEpoch))));

        var challenge = await client.ChallengeAsync("p1");

        Assert.Equal("s1", challenge.SessionId);
        Assert.Equal(nonce, challenge.Nonce);
        var (request, body) = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("http://127.0.0.1:5080/challenge", request.RequestUri!.ToString());
        Assert.Equal("p1", JsonDocument.Parse(body!).RootElement.GetProperty("policyId").GetString());
        Assert.False(request.Headers.Contains(AttestationServiceRoutes.ApiKeyHeader));
    }

    [Fact]
    public async Task A_contraindicated_verdict_is_a_result_not_an_exception()
    {
        var verdict = new AttestationResponse(AttestationStatus.Contraindicated, null, null, "p1", 3, null, new AttestationFailureInfo("PolicyUniqueIdNotAllowed", "unique id ab is not among the 1 allowed"));
        var (client, _) = Create((_, _) => StubHandler.Json(HttpStatusCode.OK, Json(verdict)));

        var response = await client.AttestAsync(new AttestationRequest("s1", "p1", [1, 2, 3]));

        Assert.Equal(AttestationStatus.Contraindicated, response.Status);
        Assert.Equal("PolicyUniqueIdNotAllowed", response.Failure!.Code);
        Assert.Null(response.Token);
    }

    [Fact]
    public async Task An_affirming_verdict_without_a_token_is_an_unexpected_response()
    {
        var verdict = new AttestationResponse(AttestationStatus.Affirming, null, null, "p1", 3, null, null);
        var (client, _) = Create((_, _) => StubHandler.Json(HttpStatusCode.OK, Json(verdict)));

        var e = await Assert.ThrowsAsync<AttestationServiceException>(() => client.AttestAsync(new AttestationRequest("s1", "p1", [1])));

        Assert.Equal(AttestationServiceClientErrors.UnexpectedResponse, e.Code);
    }

    [Fact]
    public async Task A_verdict_for_another_policy_than_requested_is_an_unexpected_response()
    {
        var verdict = new AttestationResponse(AttestationStatus.Affirming, "h.p.s", DateTimeOffset.UnixEpoch, "lenient", 1, null, null);
        var (client, _) = Create((_, _) => StubHandler.Json(HttpStatusCode.OK, Json(verdict)));

        var e = await Assert.ThrowsAsync<AttestationServiceException>(() => client.AttestAsync(new AttestationRequest("s1", "strict", [1])));

        Assert.Equal(AttestationServiceClientErrors.UnexpectedResponse, e.Code);
    }

    [Fact]
    public async Task A_problem_response_becomes_a_typed_exception_with_status_code_title_and_detail()
    {
        var (client, _) = Create((_, _) => StubHandler.Problem(HttpStatusCode.Gone, ServiceErrorCodes.ChallengeExpired, "Challenge expired", "the challenge expired 3 s ago"));

        var e = await Assert.ThrowsAsync<AttestationServiceException>(() => client.AttestAsync(new AttestationRequest("s1", "p1", [1])));

        Assert.Equal(HttpStatusCode.Gone, e.StatusCode);
        Assert.Equal(ServiceErrorCodes.ChallengeExpired, e.Code);
        Assert.Equal("Challenge expired", e.Title);
        Assert.Equal("the challenge expired 3 s ago", e.Detail);
        Assert.Equal(EnclaveStatus.ServiceRequestFailed, e.Status);
        Assert.Contains("ChallengeExpired", e.Message, StringComparison.Ordinal);
        Assert.False(e.IsUnreachable);
    }

    [Fact]
    public async Task A_rate_limited_answer_carries_retry_after()
    {
        var (client, _) = Create((_, _) =>
        {
            var response = StubHandler.Problem(HttpStatusCode.TooManyRequests, ServiceErrorCodes.RateLimited, "Too many requests");
            response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
            return response;
        });

        var e = await Assert.ThrowsAsync<AttestationServiceException>(() => client.ChallengeAsync());

        Assert.Equal(ServiceErrorCodes.RateLimited, e.Code);
        Assert.Equal(TimeSpan.FromSeconds(7), e.RetryAfter);
    }

    [Fact]
    public async Task An_error_without_a_problem_body_is_an_unexpected_response_with_its_status()
    {
        var (client, _) = Create((_, _) => StubHandler.Json(HttpStatusCode.BadGateway, "<html>bad gateway</html>", "text/html"));

        var e = await Assert.ThrowsAsync<AttestationServiceException>(() => client.ChallengeAsync());

        Assert.Equal(HttpStatusCode.BadGateway, e.StatusCode);
        Assert.Equal(AttestationServiceClientErrors.UnexpectedResponse, e.Code);
    }

    [Fact]
    public async Task A_success_body_that_is_not_the_contract_is_an_unexpected_response()
    {
        var (client, _) = Create((_, _) => StubHandler.Json(HttpStatusCode.OK, "{\"sessionId\": 5"));

        var e = await Assert.ThrowsAsync<AttestationServiceException>(() => client.ChallengeAsync());

        Assert.Equal(AttestationServiceClientErrors.UnexpectedResponse, e.Code);
    }

    [Fact]
    public async Task Error_messages_never_echo_the_api_key_the_token_or_the_secret_even_when_the_service_does()
    {
        byte[] secret = Encoding.UTF8.GetBytes("the database master key");
        string token = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
        var (client, _) = Create((request, body) =>
        {
            // A careless service that echoes the credentials and the body it received.
            string key = request.Headers.TryGetValues(AttestationServiceRoutes.ApiKeyHeader, out var keys) ? keys.Single() : string.Empty;
            string echo = $"{key} {request.Headers.Authorization?.Parameter} {body}";
            return StubHandler.Problem(HttpStatusCode.BadRequest, ServiceErrorCodes.MalformedRequest, $"bad {echo}", $"you sent {echo}");
        });

        var put = await Assert.ThrowsAsync<AttestationServiceException>(() =>
            client.PutResourceAsync("app", "key", "db", new ResourceWriteRequest(secret, new ResourcePolicy(["p1"]))));
        var get = await Assert.ThrowsAsync<AttestationServiceException>(() => client.GetResourceAsync("app", "key", "db", token));

        foreach (var e in new[] { put, get })
        {
            Assert.DoesNotContain(ApiKey, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(token, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToBase64String(secret), e.Message, StringComparison.Ordinal);
            Assert.Contains("[redacted]", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Admin_operations_send_the_api_key_and_public_operations_never_do()
    {
        var (client, handler) = Create((request, _) => request.Method == HttpMethod.Get && request.RequestUri!.AbsolutePath == "/policies"
            ? StubHandler.Json(HttpStatusCode.OK, "[]")
            : StubHandler.Json(HttpStatusCode.OK, Json(new ChallengeResponse("s", [1], DateTimeOffset.UnixEpoch))));

        await client.ListPoliciesAsync();
        await client.ChallengeAsync();

        Assert.Equal([ApiKey], handler.Requests[0].Request.Headers.GetValues(AttestationServiceRoutes.ApiKeyHeader));
        Assert.False(handler.Requests[1].Request.Headers.Contains(AttestationServiceRoutes.ApiKeyHeader));
    }

    [Fact]
    public async Task Expected_versions_become_if_match_and_zero_means_create_only()
    {
        var document = new PolicyDocument("p1", 4, JsonDocument.Parse("{}").RootElement, [], DateTimeOffset.UnixEpoch);
        var (client, handler) = Create((request, _) => request.Method == HttpMethod.Delete
            ? new HttpResponseMessage(HttpStatusCode.NoContent)
            : StubHandler.Json(HttpStatusCode.OK, Json(document)));
        var write = new PolicyWriteRequest(JsonDocument.Parse("{\"allowSimulation\":true}").RootElement, ["rv1"]);

        await client.PutPolicyAsync("p1", write, expectedVersion: 3);
        await client.PutPolicyAsync("p1", write, expectedVersion: 0);
        await client.PutPolicyAsync("p1", write);
        await client.DeletePolicyAsync("p1", expectedVersion: 4);

        Assert.Equal("\"3\"", Assert.Single(handler.Requests[0].Request.Headers.IfMatch).Tag);
        Assert.Empty(handler.Requests[0].Request.Headers.IfNoneMatch);
        Assert.Equal("*", Assert.Single(handler.Requests[1].Request.Headers.IfNoneMatch).Tag);
        Assert.Empty(handler.Requests[2].Request.Headers.IfMatch);
        Assert.Empty(handler.Requests[2].Request.Headers.IfNoneMatch);
        Assert.Equal("\"4\"", Assert.Single(handler.Requests[3].Request.Headers.IfMatch).Tag);
        Assert.Equal("http://127.0.0.1:5080/policies/p1", handler.Requests[3].Request.RequestUri!.ToString());
        Assert.Equal("rv1", JsonDocument.Parse(handler.Requests[0].Body!).RootElement.GetProperty("referenceValues")[0].GetString());
    }

    [Theory]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData("p%2F1")]
    public async Task Ids_that_could_escape_the_url_path_are_refused_before_sending(string id)
    {
        var (client, handler) = Create((_, _) => throw new InvalidOperationException("must not be sent"));

        await Assert.ThrowsAsync<ArgumentException>(() => client.GetPolicyAsync(id));
        await Assert.ThrowsAsync<ArgumentException>(() => client.GetResourceAsync("app", id, "db", "token"));

        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task A_resource_is_fetched_with_the_token_as_bearer_and_opens_only_with_the_bound_key()
    {
        using var recipient = ResourceEnvelope.CreateRecipientKey();
        using var stranger = ResourceEnvelope.CreateRecipientKey();
        byte[] secret = Encoding.UTF8.GetBytes("the database master key");
        var sealedResource = ResourceEnvelope.Seal(ResourceEnvelope.ExportRuntimeData(recipient), secret, "app/key/db");
        var (client, handler) = Create((_, _) => StubHandler.Json(HttpStatusCode.OK, Json(new ResourceResponse("app/key/db", sealedResource))));

        var response = await client.GetResourceAsync("app", "key", "db", "header.payload.signature");

        var request = Assert.Single(handler.Requests).Request;
        Assert.Equal("Bearer", request.Headers.Authorization!.Scheme);
        Assert.Equal("header.payload.signature", request.Headers.Authorization.Parameter);
        Assert.False(request.Headers.Contains(AttestationServiceRoutes.ApiKeyHeader));
        Assert.Equal(secret, response.Open(recipient));
        Assert.ThrowsAny<CryptographicException>(() => response.Open(stranger));
    }

    [Fact]
    public async Task A_resource_answer_for_another_path_is_refused()
    {
        using var recipient = ResourceEnvelope.CreateRecipientKey();
        var sealedResource = ResourceEnvelope.Seal(ResourceEnvelope.ExportRuntimeData(recipient), [1, 2], "app/key/other");
        var (client, _) = Create((_, _) => StubHandler.Json(HttpStatusCode.OK, Json(new ResourceResponse("app/key/other", sealedResource))));

        var e = await Assert.ThrowsAsync<AttestationServiceException>(() => client.GetResourceAsync("app", "key", "db", "t.t.t"));

        Assert.Equal(AttestationServiceClientErrors.UnexpectedResponse, e.Code);
    }

    [Fact]
    public async Task A_response_over_the_size_limit_is_refused_whether_declared_or_streamed()
    {
        var options = new AttestationServiceClientOptions { MaxResponseBytes = 1024 };
        string big = Json(new ChallengeResponse("s", new byte[4096], DateTimeOffset.UnixEpoch));
        var (declared, _) = Create((_, _) => StubHandler.Json(HttpStatusCode.OK, big), options);
        var (streamed, _) = Create((_, _) => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new UnknownLengthStream(Encoding.UTF8.GetBytes(big))) }, options);

        var e1 = await Assert.ThrowsAsync<AttestationServiceException>(() => declared.ChallengeAsync());
        var e2 = await Assert.ThrowsAsync<AttestationServiceException>(() => streamed.ChallengeAsync());

        Assert.Equal(AttestationServiceClientErrors.ResponseTooLarge, e1.Code);
        Assert.Equal(AttestationServiceClientErrors.ResponseTooLarge, e2.Code);
    }

    [Fact]
    public async Task A_closed_port_is_reported_as_service_unreachable()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        var client = new AttestationServiceClient(http);

        var e = await Assert.ThrowsAsync<AttestationServiceException>(() => client.ChallengeAsync());

        Assert.True(e.IsUnreachable);
        Assert.Null(e.StatusCode);
    }

    [Fact]
    public async Task A_service_that_does_not_answer_in_time_is_unreachable_and_the_callers_cancellation_is_a_cancellation()
    {
        using var hanging = new HttpClient(new HangingHandler()) { BaseAddress = new Uri("http://127.0.0.1:5080/"), Timeout = TimeSpan.FromMilliseconds(100) };
        using var patient = new HttpClient(new HangingHandler()) { BaseAddress = new Uri("http://127.0.0.1:5080/") };
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var timeout = await Assert.ThrowsAsync<AttestationServiceException>(() => new AttestationServiceClient(hanging).ChallengeAsync());
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new AttestationServiceClient(patient).ChallengeAsync(cancellationToken: cancel.Token));

        Assert.True(timeout.IsUnreachable);
    }

    [Fact]
    public void A_client_needs_an_absolute_base_address_and_sane_credentials()
    {
        using var http = new HttpClient();
        using var based = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:5080/") };

        Assert.Throws<ArgumentException>(() => new AttestationServiceClient(http));
        Assert.Throws<ArgumentException>(() => new AttestationServiceClient(based, new AttestationServiceClientOptions { ApiKey = "a\r\nX-Evil: 1" }));
        Assert.Throws<ArgumentException>(() => new AttestationServiceClient(based, new AttestationServiceClientOptions { MaxResponseBytes = 0 }));
        Assert.Throws<ArgumentException>(() => new AttestationServiceClient(based, new AttestationServiceClientOptions { AdminToken = "a b" }));
        Assert.Throws<ArgumentException>(() => new AttestationServiceClient(based, new AttestationServiceClientOptions { ApiKey = ApiKey, AdminToken = "h.p.s" }));
    }

    /// <summary>A stream that hides its length, as a chunked response does.</summary>
    private sealed class UnknownLengthStream(byte[] content) : MemoryStream(content)
    {
        public override bool CanSeek => false;
    }

    /// <summary>Never answers until cancelled.</summary>
    private sealed class HangingHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }
}
