using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SecGear.AttestationService.Operations;
using SecGear.AttestationService.Tests.Service;

namespace SecGear.AttestationService.Tests.Operations;

[Collection(MetricsCollection.Name)]
public sealed class HealthAndMetricsTests : ServiceTestBase
{
    private ServiceFactory Manual(Dictionary<string, string?>? extra = null) =>
        NewFactory(ManualMaintenance.Settings(extra), Path.Combine(DataDirectory, "ops"));

    [Fact]
    public async Task Healthz_answers_while_readyz_reports_store_keys_and_trust_anchors()
    {
        using var client = Manual().CreateClient();

        using var health = await client.GetAsync(OperationsComposition.HealthRoute);
        using var ready = await client.GetAsync(OperationsComposition.ReadyRoute);
        using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var checks = body.RootElement.GetProperty("checks");
        Assert.Equal(["signing-keys", "store", "trust-anchors"], checks.EnumerateObject().Select(c => c.Name).Order(StringComparer.Ordinal));
        Assert.All(checks.EnumerateObject(), check => Assert.Equal("Healthy", check.Value.GetProperty("status").GetString()));
        Assert.Contains("1 simulation trust anchor", checks.GetProperty("trust-anchors").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readyz_is_503_when_the_database_is_gone_while_healthz_stays_200()
    {
        var factory = Manual();
        using var client = factory.CreateClient();
        File.Delete(Path.Combine(DataDirectory, "ops", "attestation.db"));

        using var health = await client.GetAsync(OperationsComposition.HealthRoute);
        using var ready = await client.GetAsync(OperationsComposition.ReadyRoute);
        string body = await ready.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using var document = JsonDocument.Parse(body);
        Assert.Equal("Unhealthy", document.RootElement.GetProperty("checks").GetProperty("store").GetProperty("status").GetString());
        Assert.DoesNotContain(DataDirectory, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_Prometheus_endpoint_counts_verdicts_by_TEE_and_failure_code_releases_refusals_and_latency()
    {
        var factory = Manual(new() { ["AttestationService:RateLimitPerSecond"] = "1", ["AttestationService:RateLimitBurst"] = "40" });
        using var admin = factory.Admin();
        await ServiceClient.PutPolicyAsync(admin, "sim", """{"allowSimulation":true}""");
        await ServiceClient.PutPolicyAsync(admin, "strict", $$"""{"allowSimulation":true,"allowedUniqueIds":["{{new string('0', 64)}}"]}""");
        using var client = factory.CreateClient();
        Assert.Equal(AttestationStatus.Affirming, (await ServiceClient.AttestAsync(client, Enclave, "sim")).Status);
        Assert.Equal(AttestationStatus.Contraindicated, (await ServiceClient.AttestAsync(client, Enclave, "strict")).Status);
        using (var release = await client.GetAsync("/resources/kbs/key/db"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, release.StatusCode);
        }

        await ServiceClient.ChallengeAsync(client);
        await factory.Services.GetRequiredService<MaintenanceService>().RunOnceAsync();
        int limited = 0;
        for (int i = 0; i < 60 && limited == 0; i++)
        {
            using var response = await client.GetAsync(AttestationServiceRoutes.Jwks);
            limited += response.StatusCode == HttpStatusCode.TooManyRequests ? 1 : 0;
        }

        Assert.Equal(1, limited);
        // The scrape is a request too: wait for the bucket to refill one token.
        await Task.Delay(1100);
        using var scrape = await client.GetAsync(OperationsComposition.MetricsRoute);
        string text = await scrape.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, scrape.StatusCode);
        AssertSample(text, "secgear_attestation_service_attestations_total", "1", "verdict=\"affirming\"", "tee=\"Simulation\"", "failure_code=\"none\"");
        AssertSample(text, "secgear_attestation_service_attestations_total", "1", "verdict=\"contraindicated\"", "tee=\"Simulation\"", "failure_code=\"PolicyUniqueIdNotAllowed\"");
        AssertSample(text, "secgear_attestation_service_resource_releases_total", "1", "outcome=\"refused\"", "failure_code=\"TokenInvalid\"");
        AssertSample(text, "secgear_attestation_service_rate_limit_refusals_total", "1");
        AssertSample(text, "secgear_attestation_service_challenges_outstanding", "1");
        AssertSample(text, "secgear_attestation_service_request_duration_seconds_count", "2", "http_route=\"/attestation\"", "http_response_status_code=\"200\"");
    }

    [Fact]
    public async Task The_enclave_runtimes_switchless_meter_is_exported_when_the_process_publishes_it()
    {
        // SecGear.Host publishes its switchless counters on a static meter of this name when this process hosts
        // enclaves; a meter of the same name stands in for it here (no enclave is started by this test).
        using var host = new System.Diagnostics.Metrics.Meter("SecGear.Switchless", "1.0");
        host.CreateObservableCounter("secgear.switchless.ecalls", () => 42L, "{call}", "Switchless ECALLs processed.");
        using var client = Manual().CreateClient();

        string text = await client.GetStringAsync(OperationsComposition.MetricsRoute);

        AssertSample(text, "secgear_switchless_ecalls_total", "42", "otel_scope_name=\"SecGear.Switchless\"");
    }

    /// <summary>Asserts one sample line of <paramref name="metric"/> with all <paramref name="labels"/> (any order) and the value.</summary>
    private static void AssertSample(string exposition, string metric, string value, params string[] labels)
    {
        var lines = exposition.Split('\n').Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal));
        Assert.True(
            lines.Any(line => labels.All(label => line.Contains(label, StringComparison.Ordinal)) && SampleValue(line) == value),
            $"no {metric} sample with {string.Join(", ", labels)} = {value} in:\n{string.Join('\n', exposition.Split('\n').Where(l => l.StartsWith(metric, StringComparison.Ordinal)))}");
    }

    private static string SampleValue(string line) => line[(line.LastIndexOf('}') is var end and >= 0 ? end + 2 : line.IndexOf(' ', StringComparison.Ordinal) + 1)..].Split(' ')[0];
}
