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
