using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using SecGear.AttestationService.Operations;
using SecGear.AttestationService.Tests.Service;

namespace SecGear.AttestationService.Tests.Operations;

public sealed class AuditAndRetentionTests : ServiceTestBase
{
    private ServiceFactory Manual(Dictionary<string, string?>? extra = null) =>
        NewFactory(ManualMaintenance.Settings(extra), Path.Combine(DataDirectory, "audit"));

    [Fact]
    public async Task The_audit_route_filters_attestations_by_verdict_and_TEE_and_shows_the_measurement()
    {
        var factory = Manual();
        using var admin = factory.Admin();
        await ServiceClient.PutPolicyAsync(admin, "sim", """{"allowSimulation":true}""");
        await ServiceClient.PutPolicyAsync(admin, "strict", $$"""{"allowSimulation":true,"allowedUniqueIds":["{{new string('0', 64)}}"]}""");
        using var client = factory.CreateClient();
        await ServiceClient.AttestAsync(client, Enclave, "sim");
        await ServiceClient.AttestAsync(client, Enclave, "strict");

        var contraindicated = await admin.GetFromJsonAsync<AuditEvent[]>("/audit?endpoint=/attestation&verdict=contraindicated", ServiceClient.Json);
        var simulation = await admin.GetFromJsonAsync<AuditEvent[]>("/audit?tee=Simulation", ServiceClient.Json);
        var sgx = await admin.GetFromJsonAsync<AuditEvent[]>("/audit?tee=Sgx", ServiceClient.Json);
        var one = await admin.GetFromJsonAsync<AuditEvent>($"/audit/{contraindicated![0].Id}", ServiceClient.Json);
        using var anonymous = await client.GetAsync("/audit");
        using var badLimit = await admin.GetAsync("/audit?limit=100000");

        var row = Assert.Single(contraindicated);
        Assert.Equal("PolicyUniqueIdNotAllowed", row.FailureCode);
        Assert.Equal(SimulatedEnclave.UniqueIdHex, row.Measurement);
        Assert.Equal("strict", row.PolicyId);
        Assert.Equal(2, simulation!.Length);
        Assert.Empty(sgx!);
        Assert.Equal(row, one);
        await ServiceClient.AssertProblemAsync(anonymous, 401, ServiceErrorCodes.AdminAuthenticationRequired);
        await ServiceClient.AssertProblemAsync(badLimit, 400, ServiceErrorCodes.MalformedRequest);
    }

    [Fact]
    public async Task Maintenance_prunes_audit_rows_past_retention_and_expired_challenges_in_batches()
    {
        var factory = Manual(new()
        {
            ["AttestationService:Operations:AuditRetention"] = "1.00:00:00",
            ["AttestationService:Operations:ChallengeRetention"] = "00:10:00",
            ["AttestationService:Operations:PruneBatchSize"] = "2",
        });
        using var admin = factory.Admin();
        await ServiceClient.PutPolicyAsync(admin, "sim", """{"allowSimulation":true}""");
        using var client = factory.CreateClient();
        for (int i = 0; i < 5; i++)
        {
            await ServiceClient.AttestAsync(client, Enclave, "sim");
        }

        var stale = await ServiceClient.ChallengeAsync(client);
        var maintenance = factory.Services.GetRequiredService<MaintenanceService>();

        factory.Clock.Advance(TimeSpan.FromMinutes(13));
        var fresh = await ServiceClient.ChallengeAsync(client);
        var first = await maintenance.RunOnceAsync();
        using var late = await ServiceClient.PostAttestationAsync(client, new AttestationRequest(stale.SessionId, "sim", [1], null, null));

        factory.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        await ServiceClient.AttestAsync(client, Enclave, "sim");
        var second = await maintenance.RunOnceAsync();
        var remaining = await admin.GetFromJsonAsync<AuditEvent[]>("/audit", ServiceClient.Json);

        Assert.Equal((1, 0), first);
        await ServiceClient.AssertProblemAsync(late, 404, ServiceErrorCodes.ChallengeUnknown);
        // Five attestations, the late one refused, and the admin policy write (admin writes are audited too).
        Assert.Equal(7, second.Audit);
        Assert.Single(remaining!);
        Assert.Equal(1, second.Challenges);
        Assert.NotNull(fresh);
    }
}
