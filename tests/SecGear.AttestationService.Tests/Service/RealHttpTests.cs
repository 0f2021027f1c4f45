using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace SecGear.AttestationService.Tests.Service;

/// <summary>The service on Kestrel at 127.0.0.1 (port 0), spoken to over real sockets.</summary>
public sealed class RealHttpTests : ServiceTestBase
{
    private HttpClient StartKestrel(ServiceFactory factory)
    {
        factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Assert.StartsWith("http://127.0.0.1:", address, StringComparison.Ordinal);
        return new HttpClient { BaseAddress = new Uri(address) };
    }

    [Fact]
    public async Task Challenge_attestation_and_resource_release_work_over_loopback_http()
    {
        using var client = StartKestrel(Factory);
        using var admin = new HttpClient { BaseAddress = client.BaseAddress };
        admin.DefaultRequestHeaders.Add(AttestationServiceRoutes.ApiKeyHeader, ServiceFactory.AdminKey);
        await ServiceClient.PutPolicyAsync(admin, "sim", """{"allowSimulation":true}""");
        using (var put = await admin.PutAsJsonAsync("/resources/kbs/key/db", new ResourceWriteRequest([1, 2, 3], new ResourcePolicy(["sim"])), ServiceClient.Json))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        using var key = ResourceEnvelope.CreateRecipientKey();
        var attested = await ServiceClient.AttestAsync(client, Enclave, "sim", ResourceEnvelope.ExportRuntimeData(key));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/resources/kbs/key/db") { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", attested.Token) } };
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadFromJsonAsync<ResourceResponse>(ServiceClient.Json);

        Assert.Equal(AttestationStatus.Affirming, attested.Status);
        Assert.Equal(new byte[] { 1, 2, 3 }, ResourceEnvelope.Open(key, body!.Envelope, "kbs/key/db"));
    }

    [Fact]
    public async Task Kestrel_refuses_an_oversized_body_with_a_PayloadTooLarge_problem()
    {
        var factory = NewFactory(new Dictionary<string, string?> { ["AttestationService:MaxRequestBodyBytes"] = "2048" });
        using var client = StartKestrel(factory);
        using var content = new StreamContent(new MemoryStream(new byte[64 * 1024]));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, AttestationServiceRoutes.Attestation) { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await client.SendAsync(request);

        await ServiceClient.AssertProblemAsync(response, 413, ServiceErrorCodes.PayloadTooLarge);
    }
}

/// <summary>Kestrel's own refusals (made before any middleware) get problem bodies, over raw sockets.</summary>
public sealed class KestrelRefusalTests : ServiceTestBase
{
    private Uri StartKestrel()
    {
        Factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        Factory.StartServer();
        return new Uri(Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }

    [Theory]
    [InlineData(431)]
    [InlineData(414)]
    [InlineData(400)]
    public async Task Kestrel_refusal_has_a_problem_body(int status)
    {
        var address = StartKestrel();
        string request = status switch
        {
            431 => $"GET /.well-known/secgear HTTP/1.1\r\nHost: x\r\nX-Big: {new string('a', 64 * 1024)}\r\n\r\n",
            414 => $"GET /{new string('a', 64 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n",
            _ => "GET / HTTP/1.1\r\nHost: x\r\nNo colon in this header\r\n\r\n",
        };

        string response = await RawAsync(address, request);

        Assert.StartsWith($"HTTP/1.1 {status} ", response, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/problem+json", response, StringComparison.OrdinalIgnoreCase);
        string body = response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        using var json = System.Text.Json.JsonDocument.Parse(body);
        Assert.Equal(status, json.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(ServiceErrorCodes.MalformedRequest, json.RootElement.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Keep_alive_responses_of_the_application_pass_through_unchanged_before_a_refusal()
    {
        var address = StartKestrel();

        string response = await RawAsync(address, "GET /no/such/route HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nbroken\r\n\r\n");

        Assert.StartsWith("HTTP/1.1 404 ", response, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"RouteUnknown\"", response, StringComparison.Ordinal);
        Assert.Contains("HTTP/1.1 400 ", response, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"MalformedRequest\"", response, StringComparison.Ordinal);
    }

    private static async Task<string> RawAsync(Uri address, string request)
    {
        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(address.Host, address.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(request));
        using var reader = new StreamReader(stream, System.Text.Encoding.ASCII);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await reader.ReadToEndAsync(timeout.Token);
    }
}
